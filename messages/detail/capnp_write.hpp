// Encoding through the plans of capnp_plan.hpp: a C++ struct written field by field into a
// capnp struct builder. Part of capnp_layout.hpp.
#pragma once

#include "messages/detail/capnp_plan.hpp"

namespace capstan::messages::capnp_layout {

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
  } else if constexpr (std::is_same_v<V, string_map> || std::is_same_v<V, resource_list> ||
                       std::is_same_v<V, byte_map>) {
    if (v.empty())
      return;
    // KeyValue / KeyData: key is pointer 0, value pointer 1 (checked when the plan is built).
    auto list = b.getPointerField(s.offset).initStructList(v.size(), s.nested_size);
    unsigned i = 0;
    for (const auto& [k, val] : v) {
      auto entry = list.getStructElement(i++);
      set_text(entry.getPointerField(0), k);
      if constexpr (std::is_same_v<V, byte_map>)
        set_data(entry.getPointerField(1), val);
      else if constexpr (std::is_same_v<V, resource_list>)
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

}  // namespace capstan::messages::capnp_layout
