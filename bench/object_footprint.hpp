// What the objects of the read model cost in memory, field by field: a walker over the field
// lists (messages/*.hpp `fields()`) that adds up each field's inline and heap bytes as glibc's
// malloc hands them out. For profiling (`capstan bench scheduling --footprint`), not for limits:
// the figures are a model of the allocator, not a measurement of it.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "messages/detail/type_traits.hpp"
#include "messages/objects.hpp"

namespace capstan::bench {

// Bytes by field path ("spec.containers.image"), summed over every object walked.
struct footprint {
  std::map<std::string, double> heap_by_path;  // heap blocks owned by the field
  double inline_bytes = 0;                     // the objects themselves (sizeof)
  double table_node_bytes = 0;                 // the ordered table's node around each object
  std::size_t objects = 0;
  std::set<const void*> shared_blocks;         // shared_list blocks counted already

  double total() const;
  // One line per path deeper than `depth` folded into its prefix, largest first.
  std::string report(int depth, const char* per = "pod") const;
};

// A malloc block for `n` requested bytes (glibc, 64-bit): 8 bytes of header, 16-byte steps,
// 32 at least.
constexpr std::size_t malloc_block(std::size_t n) {
  std::size_t with_header = n + 8;
  std::size_t rounded = (with_header + 15) / 16 * 16;
  return rounded < 32 ? 32 : rounded;
}

class footprint_walker {
public:
  explicit footprint_walker(footprint& into) : into_(into) {}

  template <class T>
  void object(const T& x) {
    path_.clear();
    walk_fields(x);
  }

  template <class T>
  void operator()(const char* name, const T& value) {
    auto saved = path_.size();
    if (!path_.empty())
      path_ += '.';
    path_ += name;
    value_heap(value);
    path_.resize(saved);
  }
  template <class T>
  void always(const char* name, const T& value) {
    (*this)(name, value);
  }

private:
  template <class T>
  void walk_fields(const T& x) {
    fields(*this, const_cast<T&>(x));
  }
  void add(std::size_t bytes) { into_.heap_by_path[path_] += static_cast<double>(bytes); }

  void value_heap(const std::string& s) {
    if (s.capacity() > 15)
      add(malloc_block(s.capacity() + 1));
  }
  template <class T>
  void value_heap(const T& value) {
    using namespace messages::detail;
    if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                  std::is_same_v<T, messages::timestamp>) {
    } else if constexpr (std::is_same_v<T, messages::int_or_string>) {
      value_heap(value.string_value);
    } else if constexpr (std::is_same_v<T, messages::raw_json_object>) {
      value_heap(value.text);
    } else if constexpr (std::is_same_v<T, messages::sealed_bytes>) {
      value_heap(value.envelope);
    } else if constexpr (std::is_same_v<T, messages::quantity>) {
      value_heap(value.text());
    } else if constexpr (std::is_same_v<T, messages::rare_string>) {
      if (!value.empty()) {
        add(malloc_block(sizeof(std::string)));  // the string's own block
        value_heap(value.str());
      }
    } else if constexpr (is_optional<T>::value) {
      if (!value)
        return;
      if constexpr (!std::is_same_v<T, std::optional<typename T::value_type>>)
        add(malloc_block(sizeof(typename T::value_type)));  // a boxed value's own block
      value_heap(*value);
    } else if constexpr (is_shared_list<T>::value) {
      // A block several objects share counts once, at the first of them.
      if (value.capacity() && into_.shared_blocks.insert(value.data()).second)
        value_heap(value.items());
    } else if constexpr (is_vector<T>::value) {
      if (value.capacity())
        add(malloc_block(value.capacity() * sizeof(typename T::value_type)));
      for (const auto& item : value)
        value_heap(item);
    } else if constexpr (is_map<T>::value || std::is_base_of_v<messages::byte_map, T>) {
      for (const auto& [key, item] : value) {
        add(malloc_block(32 + sizeof(typename T::value_type)));
        value_heap(key);
        value_heap(item);
      }
    } else if constexpr (is_variant<T>::value) {
      std::visit([&](const auto& alternative) { value_heap(alternative); }, value);
    } else {
      walk_fields(value);
    }
  }

  footprint& into_;
  std::string path_;
};

// The footprint of every object in `table` (one kind's table of a cluster_state).
template <class Table>
footprint measure_table(const Table& table) {
  footprint f;
  footprint_walker walk(f);
  for (const auto& [key, object] : table) {
    ++f.objects;
    f.inline_bytes += sizeof(object);
    f.table_node_bytes += malloc_block(32 + sizeof(key) + sizeof(object)) - sizeof(object);
    if (key.namespace_.capacity() > 15)
      f.heap_by_path["(table key)"] += malloc_block(key.namespace_.capacity() + 1);
    if (key.name.capacity() > 15)
      f.heap_by_path["(table key)"] += malloc_block(key.name.capacity() + 1);
    std::visit([&](const auto& x) { walk.object(x); }, object);
  }
  return f;
}

}  // namespace capstan::bench
