// The plans of the reflective Cap'n Proto layer (capnp_layout.hpp): where each listed field of
// a C++ struct lives in its schema struct, checked against the schema once, and the text and
// quantity helpers encoding and decoding share. Included by capnp_write.hpp and capnp_read.hpp.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <capnp/layout.h>
#include <capnp/message.h>
#include <capnp/pointer-helpers.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "messages/capnp_codec.hpp"
#include "messages/detail/type_traits.hpp"
#include "messages/field_error.hpp"
#include "messages/schema/journal.capnp.h"
#include "messages/schema/objects.capnp.h"

namespace capstan::messages {

// How this works: the C++ structs list their fields once (`fields(f, x)`), with the same
// names as the Cap'n Proto schema. For each C++ type a `layout_plan` is built once from the
// schema: for the i-th listed field, where it lives (data offset or pointer index) and, for
// structs and lists, the nested schema. Building the plan checks every C++ type against the
// declared capnp type, so a schema/struct mismatch fails the first encode (and the round-trip
// tests), never silently. Encoding and decoding then go straight through capnp's layout layer,
// as generated code does.


// Leaf structs of the schema that the C++ model represents as plain values.
template <class F>
void fields(F& f, int_or_string& x) {
  f("isString", x.is_string);
  f("intValue", x.int_value);
  f("stringValue", x.string_value);
}

namespace capnp_layout {

namespace layout = capnp::_;
using capnp::StructSchema;
using capnp_type = capnp::schema::Type::Which;

using detail::is_optional;
using detail::is_shared_list;
using detail::is_vector;

// Where one listed field lives.
struct slot {
  uint32_t offset = 0;  // data offset in units of the field's type, or pointer index
  StructSchema nested;  // struct fields and lists of structs
  bool is_data = false;  // a std::string stored as Data (bytes) rather than Text
  layout::StructSize nested_size{0, 0};
};

struct layout_plan {
  std::vector<slot> slots;
};

// Size of the struct a schema describes, for allocating it.
inline layout::StructSize size_of(StructSchema s) {
  auto proto = s.getProto().getStruct();
  return layout::StructSize(proto.getDataWordCount(), proto.getPointerCount());
}

[[noreturn]] inline void mismatch(StructSchema s, const char* name, const char* expected) {
  throw std::logic_error(std::string("capnp schema ") + s.getProto().getDisplayName().cStr() +
                         " field " + name + " is not " + expected + " as the C++ field list says");
}

// What capnp type a C++ field type must have, checked while building a plan.
template <class V>
void expect_type(StructSchema s, const char* name, capnp::Type t, slot& out) {
  auto which = t.which();
  auto need = [&](capnp_type w, const char* what) {
    if (which != w)
      mismatch(s, name, what);
  };
  auto need_struct = [&](StructSchema nested_struct) {
    out.nested = nested_struct;
    out.nested_size = size_of(nested_struct);
  };
  if constexpr (std::is_same_v<V, bool>) {
    need(capnp_type::BOOL, "Bool");
  } else if constexpr (std::is_same_v<V, int32_t>) {
    need(capnp_type::INT32, "Int32");
  } else if constexpr (std::is_same_v<V, int64_t> || std::is_same_v<V, timestamp>) {
    need(capnp_type::INT64, "Int64");
  } else if constexpr (std::is_same_v<V, uint64_t>) {
    need(capnp_type::UINT64, "UInt64");
  } else if constexpr (std::is_same_v<V, uint32_t>) {
    need(capnp_type::UINT32, "UInt32");
  } else if constexpr (std::is_enum_v<V>) {
    // C++ enums with explicit values equal to the schema's enumerants (16-bit on the wire).
    need(capnp_type::ENUM, "an enum");
  } else if constexpr (std::is_same_v<V, std::string>) {
    out.is_data = which == capnp_type::DATA;
    if (!out.is_data)
      need(capnp_type::TEXT, "Text or Data");
  } else if constexpr (std::is_same_v<V, rare_string>) {
    need(capnp_type::TEXT, "Text");
  } else if constexpr (std::is_same_v<V, sealed_bytes>) {
    need(capnp_type::DATA, "Data");
  } else if constexpr (std::is_same_v<V, quantity> || std::is_same_v<V, raw_json_object>) {
    need(capnp_type::TEXT, "Text");
  } else if constexpr (std::is_same_v<V, byte_map>) {
    need(capnp_type::LIST, "List(KeyData)");
    auto element = t.asList().getElementType();
    if (element.which() != capnp_type::STRUCT)
      mismatch(s, name, "List(KeyData)");
    // The codec writes key (Text) and value (Data) as pointers 0 and 1.
    auto kv = element.asStruct();
    auto key = kv.getFieldByName("key"), value = kv.getFieldByName("value");
    if (key.getProto().getSlot().getOffset() != 0 || value.getProto().getSlot().getOffset() != 1 ||
        key.getType().which() != capnp_type::TEXT || value.getType().which() != capnp_type::DATA)
      mismatch(s, name, "List(KeyData) with key (Text) and value (Data) as its first two pointers");
    need_struct(kv);
  } else if constexpr (std::is_same_v<V, string_map> || std::is_same_v<V, resource_list>) {
    need(capnp_type::LIST, "List(KeyValue)");
    auto element = t.asList().getElementType();
    if (element.which() != capnp_type::STRUCT)
      mismatch(s, name, "List(KeyValue)");
    // The codec writes key and value as pointers 0 and 1.
    auto kv = element.asStruct();
    if (kv.getFieldByName("key").getProto().getSlot().getOffset() != 0 ||
        kv.getFieldByName("value").getProto().getSlot().getOffset() != 1)
      mismatch(s, name, "List(KeyValue) with key and value as its first two pointers");
    need_struct(kv);
  } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
    need(capnp_type::LIST, "List(Text)");
    if (t.asList().getElementType().which() != capnp_type::TEXT)
      mismatch(s, name, "List(Text)");
  } else if constexpr (is_vector<V>::value) {
    need(capnp_type::LIST, "a List of structs");
    auto element = t.asList().getElementType();
    if (element.which() != capnp_type::STRUCT)
      mismatch(s, name, "a List of structs");
    need_struct(element.asStruct());
  } else {
    // Structs, optional structs, optional scalars (boxes), int_or_string, any_object.
    need(capnp_type::STRUCT, "a struct");
    need_struct(t.asStruct());
    if constexpr (is_optional<V>::value) {
      if constexpr (std::is_integral_v<typename V::value_type>) {
        // The codec reads and writes a box's `value` at data offset 0.
        auto value = t.asStruct().getFieldByName("value");
        slot ignored;
        expect_type<typename V::value_type>(t.asStruct(), "value", value.getType(), ignored);
        if (value.getProto().getSlot().getOffset() != 0)
          mismatch(s, name, "a box with `value` at offset 0");
      }
    }
  }
}

struct plan_builder {
  StructSchema schema;
  layout_plan& plan;
  template <class V>
  void operator()(const char* name, V&) {
    auto field = schema.getFieldByName(name);
    auto proto = field.getProto();
    if (!proto.isSlot())
      mismatch(schema, name, "a plain field");
    slot s;
    s.offset = proto.getSlot().getOffset();
    expect_type<V>(schema, name, field.getType(), s);
    plan.slots.push_back(s);
  }
  template <class V>
  void always(const char* name, V& v) {
    (*this)(name, v);
  }
};

// The plan of C++ type T, built on first use from the schema T is stored as. Thread-safe.
template <class T>
const layout_plan& plan_for(StructSchema schema) {
  static const layout_plan plan = [&] {
    layout_plan p;
    plan_builder builder{schema, p};
    T probe{};
    fields(builder, probe);
    return p;
  }();
  return plan;
}

// A union: the discriminant's offset and, per alternative, its value and pointer slot.
struct union_plan {
  uint32_t discriminant_offset = 0;
  std::vector<uint16_t> values;
  std::vector<slot> slots;
};

inline union_plan build_union(StructSchema s, const char* const* tags, std::size_t count) {
  union_plan u;
  u.discriminant_offset = s.getProto().getStruct().getDiscriminantOffset();
  for (std::size_t i = 0; i < count; ++i) {
    auto field = s.getFieldByName(tags[i]);
    if (field.getType().which() != capnp_type::STRUCT)
      mismatch(s, tags[i], "a struct");
    slot sl;
    sl.offset = field.getProto().getSlot().getOffset();
    sl.nested = field.getType().asStruct();
    sl.nested_size = size_of(sl.nested);
    u.values.push_back(field.getProto().getDiscriminantValue());
    u.slots.push_back(sl);
  }
  return u;
}

// Union member names of schema AnyObject, in object_kind order.
inline constexpr const char* object_tags[object_kind_count] = {
    "namespace", "pod",   "replicationController", "service",   "endpoints",
    "node",      "event", "resourceQuota",         "limitRange", "role",
    "clusterRole", "roleBinding", "clusterRoleBinding", "secret", "configMap", "serviceAccount"};

// Union member names of schema Record.event, in domain_event order.
inline constexpr const char* event_tags[] = {"created",           "updated",          "deleted",
                                      "podBound",          "podStatusChanged", "rcScaled",
                                      "rcStatusChanged",   "labelsChanged",    "nodeReadyChanged",
                                      "nodeStatusChanged", "endpointsChanged", "deletionRequested"};
static_assert(std::size(event_tags) == std::variant_size_v<domain_event>);

inline const union_plan& any_object_plan() {
  static const union_plan plan =
      build_union(capnp::Schema::from<schema::AnyObject>(), object_tags, object_kind_count);
  return plan;
}

inline const union_plan& record_event_plan() {
  static const union_plan plan = build_union(
      capnp::Schema::from<schema::Record>().getFieldByName("event").getType().asStruct(),
      event_tags, std::size(event_tags));
  return plan;
}

inline capnp::Text::Reader text(const std::string& s) {
  return capnp::Text::Reader(s.data(), s.size());
}

inline void set_text(layout::PointerBuilder p, const std::string& s) {
  layout::PointerHelpers<capnp::Text>::set(p, text(s));
}

inline std::string get_text(layout::PointerReader p) {
  auto t = layout::PointerHelpers<capnp::Text>::get(p);
  return std::string(t.cStr(), t.size());
}

inline void set_data(layout::PointerBuilder p, const std::string& s) {
  layout::PointerHelpers<capnp::Data>::set(
      p, capnp::Data::Reader(reinterpret_cast<const kj::byte*>(s.data()), s.size()));
}

inline std::string get_data(layout::PointerReader p) {
  auto d = layout::PointerHelpers<capnp::Data>::get(p);
  return std::string(reinterpret_cast<const char*>(d.begin()), d.size());
}

inline quantity parse_stored_quantity(const std::string& t) {
  std::string why;
  auto q = quantity::parse(t, &why);
  if (!q)
    throw decode_error("stored quantity " + quote(t) + " is invalid: " + why);
  return *q;
}

}  // namespace capnp_layout

}  // namespace capstan::messages
