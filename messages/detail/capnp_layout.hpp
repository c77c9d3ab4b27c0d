// The reflective Cap'n Proto layer behind messages/capnp_codec.cpp and
// messages/node_protocol.cpp: C++ structs that list their fields (`fields(f, x)`) are written
// and read straight through capnp's layout layer against the schema struct of the same field
// names. Included only by those two files (generated capnp code stays inside messages/).
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
#include "messages/decode_memo.hpp"
#include "messages/detail/capnp_form.hpp"
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

// ---- encoding -----------------------------------------------------------------------------

template <class T>
void write_struct(layout::StructBuilder b, const layout_plan& plan, const T& v);
inline void write_any(layout::StructBuilder b, const any_object& object);

template <class V>
void write_field(layout::StructBuilder b, const slot& s, const V& v) {
  if constexpr (std::is_same_v<V, bool> || std::is_integral_v<V>) {
    if (v)
      b.setDataField<V>(s.offset, v);
  } else if constexpr (std::is_enum_v<V>) {
    if (static_cast<uint16_t>(v) != 0)
      b.setDataField<uint16_t>(s.offset, static_cast<uint16_t>(v));
  } else if constexpr (std::is_same_v<V, timestamp>) {
    if (v.seconds)
      b.setDataField<int64_t>(s.offset, v.seconds);
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (v.empty())
      return;
    if (s.is_data)
      layout::PointerHelpers<capnp::Data>::set(
          b.getPointerField(s.offset),
          capnp::Data::Reader(reinterpret_cast<const kj::byte*>(v.data()), v.size()));
    else
      set_text(b.getPointerField(s.offset), v);
  } else if constexpr (std::is_same_v<V, rare_string>) {
    if (!v.empty())
      set_text(b.getPointerField(s.offset), v.str());
  } else if constexpr (std::is_same_v<V, sealed_bytes>) {
    if (!v.empty())
      set_data(b.getPointerField(s.offset), v.envelope);
  } else if constexpr (std::is_same_v<V, byte_map>) {
    if (v.empty())
      return;
    // KeyData: key is pointer 0, value pointer 1 (checked when the plan is built).
    auto list = b.getPointerField(s.offset).initStructList(v.size(), s.nested_size);
    unsigned i = 0;
    for (const auto& [k, val] : v) {
      auto entry = list.getStructElement(i++);
      set_text(entry.getPointerField(0), k);
      set_data(entry.getPointerField(1), val);
    }
  } else if constexpr (std::is_same_v<V, quantity>) {
    if (!v.empty())
      set_text(b.getPointerField(s.offset), v.text());
  } else if constexpr (std::is_same_v<V, raw_json_object>) {
    if (!v.empty())
      set_text(b.getPointerField(s.offset), v.text);
  } else if constexpr (std::is_same_v<V, int_or_string>) {
    if (!v.empty())
      write_struct(b.getPointerField(s.offset).initStruct(s.nested_size),
                   plan_for<int_or_string>(s.nested), v);
  } else if constexpr (std::is_same_v<V, string_map> || std::is_same_v<V, resource_list>) {
    if (v.empty())
      return;
    // KeyValue: key is pointer 0, value pointer 1 (checked by the schema test).
    auto list = b.getPointerField(s.offset).initStructList(v.size(), s.nested_size);
    unsigned i = 0;
    for (const auto& [k, val] : v) {
      auto entry = list.getStructElement(i++);
      set_text(entry.getPointerField(0), k);
      if constexpr (std::is_same_v<V, resource_list>)
        set_text(entry.getPointerField(1), val.text());
      else
        set_text(entry.getPointerField(1), val);
    }
  } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
    if (v.empty())
      return;
    auto list = b.getPointerField(s.offset).initList(capnp::ElementSize::POINTER, v.size());
    for (unsigned i = 0; i < v.size(); ++i)
      set_text(list.getPointerElement(i), v[i]);
  } else if constexpr (is_vector<V>::value) {
    if (v.empty())
      return;
    const auto& plan = plan_for<typename V::value_type>(s.nested);
    auto list = b.getPointerField(s.offset).initStructList(v.size(), s.nested_size);
    for (unsigned i = 0; i < v.size(); ++i)
      write_struct(list.getStructElement(i), plan, v[i]);
  } else if constexpr (is_optional<V>::value) {
    if (!v)
      return;
    using inner = typename V::value_type;
    auto child = b.getPointerField(s.offset).initStruct(s.nested_size);
    if constexpr (std::is_integral_v<inner>)
      child.setDataField<inner>(0, *v);  // boxes hold `value @0` at offset 0
    else
      write_struct(child, plan_for<inner>(s.nested), *v);
  } else if constexpr (std::is_same_v<V, any_object>) {
    write_any(b.getPointerField(s.offset).initStruct(s.nested_size), v);
  } else {
    write_struct(b.getPointerField(s.offset).initStruct(s.nested_size), plan_for<V>(s.nested), v);
  }
}

struct layout_writer {
  layout::StructBuilder b;
  const layout_plan& plan;
  std::size_t i = 0;
  template <class V>
  void operator()(const char*, const V& v) {
    write_field(b, plan.slots[i++], v);
  }
  template <class V>
  void always(const char*, const V& v) {
    write_field(b, plan.slots[i++], v);
  }
};

template <class T>
void write_struct(layout::StructBuilder b, const layout_plan& plan, const T& v) {
  layout_writer writer{b, plan};
  fields(writer, const_cast<T&>(v));  // the writer only reads
}

template <class Variant>
void write_union(layout::StructBuilder b, const union_plan& u, const Variant& v) {
  std::size_t i = v.index();
  b.setDataField<uint16_t>(u.discriminant_offset, u.values[i]);
  const slot& s = u.slots[i];
  std::visit(
      [&](const auto& alternative) {
        using A = std::decay_t<decltype(alternative)>;
        write_struct(b.getPointerField(s.offset).initStruct(s.nested_size), plan_for<A>(s.nested),
                     alternative);
      },
      v);
}

inline void write_any(layout::StructBuilder b, const any_object& object) {
  write_union(b, any_object_plan(), object);
}

// ---- decoding -----------------------------------------------------------------------------

template <class T>
void read_struct(layout::StructReader r, const layout_plan& plan, T& v);
inline void read_any_into(layout::StructReader r, any_object& v);

// Reads the list of structs at `s` into `v` (a std::vector or a shared_list).
template <class V>
void read_struct_list(layout::StructReader r, const slot& s, V& v) {
  auto list = r.getPointerField(s.offset).getList(capnp::ElementSize::INLINE_COMPOSITE, nullptr);
  const auto& plan = plan_for<typename V::value_type>(s.nested);
  v.clear();
  v.resize(list.size());
  for (unsigned i = 0; i < list.size(); ++i)
    read_struct(list.getStructElement(i), plan, v[i]);
}

// Reads the shared list at `s` into `v` through the memo in use on this thread, if any
// (messages/decode_memo.hpp). A list whose form cannot be taken (see append_form, or a pointer
// capnp refuses) is decoded as without a memo.
template <class T>
void read_shared_list(layout::StructReader r, const slot& s, shared_list<T>& v) {
  if constexpr (decode_memo::keeps<T>()) {
    // One form at a time on a thread: a list inside a list's items is decoded without the memo.
    decode_memo* memo = decode_memo::current();
    thread_writer& mine = this_threads_writer();
    if (memo && !mine.in_use) {
      if (!mine.writer)
        mine.writer = std::make_unique<form_writer>();
      form_writer& writer = *mine.writer;
      mine.in_use = true;
      struct release {
        bool& in_use;
        ~release() { in_use = false; }
      } released_on_return{mine.in_use};
      constexpr int max_form_depth = 16;
      writer.clear();
      bool formed = false;
      auto p = r.getPointerField(s.offset);
      try {
        formed = !p.isNull() && writer.add_pointer(p, max_form_depth);
      } catch (const kj::Exception&) {
        formed = false;
      }
      if (formed) {
        const std::string_view form = writer.form();
        const std::size_t hash = std::hash<std::string_view>{}(form);
        if (memo->find(form, hash, v))
          return;
        read_struct_list(r, s, v);
        memo->keep(form, hash, v);
        return;
      }
    }
  }
  read_struct_list(r, s, v);
}

template <class V>
void read_field(layout::StructReader r, const slot& s, V& v) {
  if constexpr (std::is_same_v<V, bool> || std::is_integral_v<V>) {
    v = r.getDataField<V>(s.offset);
  } else if constexpr (std::is_enum_v<V>) {
    v = static_cast<V>(r.getDataField<uint16_t>(s.offset));  // the reader checks the range
  } else if constexpr (std::is_same_v<V, timestamp>) {
    v.seconds = r.getDataField<int64_t>(s.offset);
  } else if constexpr (std::is_same_v<V, std::string>) {
    if (s.is_data) {
      auto d = layout::PointerHelpers<capnp::Data>::get(r.getPointerField(s.offset));
      v.assign(reinterpret_cast<const char*>(d.begin()), d.size());
    } else {
      v = get_text(r.getPointerField(s.offset));
    }
  } else if constexpr (std::is_same_v<V, rare_string>) {
    v = get_text(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, sealed_bytes>) {
    v.envelope = get_data(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, byte_map>) {
    v.clear();
    auto list = r.getPointerField(s.offset).getList(capnp::ElementSize::INLINE_COMPOSITE, nullptr);
    for (unsigned i = 0; i < list.size(); ++i) {
      auto entry = list.getStructElement(i);
      v.emplace(get_text(entry.getPointerField(0)), get_data(entry.getPointerField(1)));
    }
  } else if constexpr (std::is_same_v<V, quantity>) {
    auto p = r.getPointerField(s.offset);
    v = p.isNull() ? quantity{} : parse_stored_quantity(get_text(p));
  } else if constexpr (std::is_same_v<V, raw_json_object>) {
    v.text = get_text(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, int_or_string>) {
    auto p = r.getPointerField(s.offset);
    if (!p.isNull())
      read_struct(p.getStruct(nullptr), plan_for<int_or_string>(s.nested), v);
  } else if constexpr (std::is_same_v<V, string_map> || std::is_same_v<V, resource_list>) {
    v.clear();
    auto list = r.getPointerField(s.offset).getList(capnp::ElementSize::INLINE_COMPOSITE, nullptr);
    for (unsigned i = 0; i < list.size(); ++i) {
      auto entry = list.getStructElement(i);
      std::string k = get_text(entry.getPointerField(0));
      if constexpr (std::is_same_v<V, resource_list>)
        v.emplace(std::move(k), parse_stored_quantity(get_text(entry.getPointerField(1))));
      else
        v.emplace(std::move(k), get_text(entry.getPointerField(1)));
    }
  } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
    auto list = r.getPointerField(s.offset).getList(capnp::ElementSize::POINTER, nullptr);
    v.clear();
    v.reserve(list.size());
    for (unsigned i = 0; i < list.size(); ++i)
      v.push_back(get_text(list.getPointerElement(i)));
  } else if constexpr (is_shared_list<V>::value) {
    read_shared_list(r, s, v);
  } else if constexpr (is_vector<V>::value) {
    read_struct_list(r, s, v);
  } else if constexpr (is_optional<V>::value) {
    auto p = r.getPointerField(s.offset);
    if (p.isNull()) {
      v.reset();
      return;
    }
    using inner = typename V::value_type;
    auto child = p.getStruct(nullptr);
    if constexpr (std::is_integral_v<inner>) {
      v = child.getDataField<inner>(0);
    } else {
      inner value{};
      read_struct(child, plan_for<inner>(s.nested), value);
      v = std::move(value);
    }
  } else if constexpr (std::is_same_v<V, any_object>) {
    read_any_into(r.getPointerField(s.offset).getStruct(nullptr), v);
  } else {
    auto p = r.getPointerField(s.offset);
    if (!p.isNull())
      read_struct(p.getStruct(nullptr), plan_for<V>(s.nested), v);
  }
}

struct layout_reader {
  layout::StructReader r;
  const layout_plan& plan;
  std::size_t i = 0;
  template <class V>
  void operator()(const char*, V& v) {
    read_field(r, plan.slots[i++], v);
  }
  template <class V>
  void always(const char*, V& v) {
    read_field(r, plan.slots[i++], v);
  }
};

template <class T>
void read_struct(layout::StructReader r, const layout_plan& plan, T& v) {
  layout_reader reader{r, plan};
  fields(reader, v);
}

// Makes `v` hold a default value of its alternative `index`, in place.
template <class Variant, std::size_t... I>
void emplace_at(Variant& v, std::size_t index, std::index_sequence<I...>) {
  ((index == I ? void(v.template emplace<I>()) : void()), ...);
}

// Reads the union `r` holds into `v`, in place (a pod is built where it will stay, not moved
// there). When it throws, `v` is unspecified (its callers drop it): an unknown member leaves it
// as it was, a failure while reading the member leaves the member partly read.
template <class Variant>
void read_union_into(layout::StructReader r, const union_plan& u, const char* what, Variant& v) {
  uint16_t d = r.getDataField<uint16_t>(u.discriminant_offset);
  std::size_t i = 0;
  while (i < u.values.size() && u.values[i] != d)
    ++i;
  if (i == u.values.size())
    throw decode_error(std::string(what) + " has unknown member " + std::to_string(d) +
                       " (written by a newer capstan?)");
  emplace_at(v, i, std::make_index_sequence<std::variant_size_v<Variant>>{});
  const slot& s = u.slots[i];
  std::visit(
      [&](auto& alternative) {
        using A = std::decay_t<decltype(alternative)>;
        read_struct(r.getPointerField(s.offset).getStruct(nullptr), plan_for<A>(s.nested),
                    alternative);
      },
      v);
}

template <class Variant>
Variant read_union(layout::StructReader r, const union_plan& u, const char* what) {
  Variant v;
  read_union_into(r, u, what, v);
  return v;
}

inline void read_any_into(layout::StructReader r, any_object& v) {
  read_union_into(r, any_object_plan(), "AnyObject", v);
}

inline any_object read_any(layout::StructReader r) {
  return read_union<any_object>(r, any_object_plan(), "AnyObject");
}

inline std::string to_bytes(capnp::MessageBuilder& builder) {
  auto words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Reads a flat message, copying it to word alignment when the source is not aligned, and
// turns every capnp failure into a decode_error.
// A reader may traverse at most twice the message's words (three times while a decode_memo is
// in use), and never more than `limit_words` (capnp's amplification guard). capstan's decoders
// read each word of a message once (a shared list's twice with a memo), so no
// message a capstan wrote comes near; a message whose pointers lead many times into the same
// words, or to a list of empty structs (capnp counts each element as one word), is refused
// before the decoder allocates for more elements than the message has words.
template <class F>
auto with_reader(std::string_view bytes, const char* what, F&& f,
                 uint64_t limit_words = 1ull << 30) {
  if (bytes.size() % sizeof(capnp::word) != 0)
    throw decode_error(std::string(what) + ": length " + std::to_string(bytes.size()) +
                       " is not a whole number of 8-byte words");
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                        bytes.size() / sizeof(capnp::word));
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
    copy = kj::heapArray<capnp::word>(words.size());
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy;
  }
  try {
    capnp::ReaderOptions options;
    // With a memo in use, a shared list is read twice on a miss: its form, then its items.
    const uint64_t reads = decode_memo::current() ? 3 : 2;
    options.traversalLimitInWords = std::min<uint64_t>(limit_words, reads * words.size() + 16);
    capnp::FlatArrayMessageReader reader(words, options);
    return f(reader);
  } catch (const kj::Exception& e) {
    throw decode_error(std::string(what) + ": " + e.getDescription().cStr());
  }
}

template <class T>
layout::StructBuilder raw(typename T::Builder builder) {
  return layout::PointerHelpers<T>::getInternalBuilder(kj::mv(builder));
}
template <class T>
layout::StructReader raw(const typename T::Reader& reader) {
  return layout::PointerHelpers<T>::getInternalReader(reader);
}

}  // namespace capnp_layout

}  // namespace capstan::messages
