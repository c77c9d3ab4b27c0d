// Decoding through the plans of capnp_plan.hpp: a capnp struct reader read field by field into
// a C++ struct, unions in place, shared lists through the decode memo in use (if any). Part of
// capnp_layout.hpp.
#pragma once

#include <memory>

#include "messages/decode_memo.hpp"
#include "messages/detail/capnp_form.hpp"
#include "messages/detail/capnp_plan.hpp"
#include "messages/detail/capnp_region.hpp"

namespace capstan::messages::capnp_layout {

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

// The word of pointer field `index` of `r`, or null when `r` has no such field (or a data
// section of part of a word, which only lists of small elements have).
inline const unsigned char* pointer_word(layout::StructReader r, uint32_t index) {
  const uint32_t data_bits = r.getDataSectionSize();
  if (index >= r.getPointerSectionSize() || data_bits % 64 != 0)
    return nullptr;
  return static_cast<const unsigned char*>(r.getLocation()) + data_bits / 8 + index * 8;
}

// Whether pointer field `index` of `r` is null (a zero word, or beyond the struct's pointer
// section): what capnp reads as the field's default, here without its checks on the word (the
// section itself was checked when `r` was made). Most of an object's text and list fields are
// empty.
inline bool is_null_pointer(layout::StructReader r, uint32_t index) {
  if (index >= r.getPointerSectionSize())
    return true;
  const unsigned char* at = pointer_word(r, index);
  if (!at)
    return false;  // a data section of part of a word: let capnp read it
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word == 0;
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
      // First by the region holding the list (capnp_region.hpp), when the message allows it.
      region_context& segment = this_threads_region();
      const unsigned char* at = segment.begin ? pointer_word(r, s.offset) : nullptr;
      uint64_t word = 0;
      if (at && at >= segment.begin && segment.end - at >= 8)
        std::memcpy(&word, at, 8);
      const unsigned char* start =
          (word & 3) == 1 ? pointer_target(at, word, segment.begin, segment.end) : nullptr;
      const bool by_region = start != nullptr;  // a list pointer into this segment
      if (by_region && memo->find_region(pointer_shape(word), start, segment.begin, segment.end,
                                         segment.budget, v))
        return;
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
        if (!memo->find(form, hash, v)) {
          read_struct_list(r, s, v);
          memo->keep(form, hash, v);
        }
        region_finder region(segment.begin, segment.end);
        if (by_region && region.add_pointer(at, max_form_depth))
          memo->keep_region(pointer_shape(word), start, region.low(), region.high(), segment.budget,
                            v);
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
    if (is_null_pointer(r, s.offset)) {
      v.clear();
    } else if (s.is_data) {
      auto d = layout::PointerHelpers<capnp::Data>::get(r.getPointerField(s.offset));
      v.assign(reinterpret_cast<const char*>(d.begin()), d.size());
    } else {
      auto t = layout::PointerHelpers<capnp::Text>::get(r.getPointerField(s.offset));
      v.assign(t.cStr(), t.size());
    }
  } else if constexpr (std::is_same_v<V, rare_string>) {
    if (is_null_pointer(r, s.offset))
      v.clear();
    else
      v = get_text(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, sealed_bytes>) {
    v.envelope = get_data(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, quantity>) {
    auto p = r.getPointerField(s.offset);
    v = p.isNull() ? quantity{} : parse_stored_quantity(get_text(p));
  } else if constexpr (std::is_same_v<V, raw_json_object>) {
    v.text = get_text(r.getPointerField(s.offset));
  } else if constexpr (std::is_same_v<V, int_or_string>) {
    auto p = r.getPointerField(s.offset);
    if (!p.isNull())
      read_struct(p.getStruct(nullptr), plan_for<int_or_string>(s.nested), v);
  } else if constexpr (std::is_same_v<V, string_map> || std::is_same_v<V, resource_list> ||
                       std::is_same_v<V, byte_map>) {
    v.clear();
    if (is_null_pointer(r, s.offset))
      return;
    auto list = r.getPointerField(s.offset).getList(capnp::ElementSize::INLINE_COMPOSITE, nullptr);
    for (unsigned i = 0; i < list.size(); ++i) {
      auto entry = list.getStructElement(i);
      std::string k = get_text(entry.getPointerField(0));
      if constexpr (std::is_same_v<V, byte_map>)
        v.emplace(std::move(k), get_data(entry.getPointerField(1)));
      else if constexpr (std::is_same_v<V, resource_list>)
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
  } else if constexpr (is_shared_list<V>::value || is_vector<V>::value) {
    if (is_null_pointer(r, s.offset))
      v.clear();
    else if constexpr (is_shared_list<V>::value)
      read_shared_list(r, s, v);
    else
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

}  // namespace capstan::messages::capnp_layout
