// Deep equality of API structs through their field lists (the same `fields` walkers the codecs
// use), so that "did the status change?" costs a walk, not two JSON encodings. Vectors, maps,
// optionals and variants (any_object) compare element by element; other values by ==.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "messages/detail/type_traits.hpp"

namespace capstan::messages {

template <class T>
bool equal_fields(const T& a, const T& b);

namespace detail {

struct any_field {
  template <class V>
  void operator()(const char*, V&) {}
  template <class V>
  void always(const char*, V&) {}
};
template <class T, class = void>
struct walkable : std::false_type {};
template <class T>
struct walkable<T, std::void_t<decltype(fields(std::declval<any_field&>(), std::declval<T&>()))>>
    : std::true_type {};

// Collects the address of every field of one value, in field-list order.
struct field_addresses {
  std::vector<const void*>& out;
  template <class V>
  void operator()(const char*, V& v) {
    out.push_back(&v);
  }
  template <class V>
  void always(const char*, V& v) {
    out.push_back(&v);
  }
};

// Compares each field of one value with the field at the same position of the other.
struct field_comparer {
  const std::vector<const void*>& other;
  std::size_t next = 0;
  bool equal = true;
  template <class V>
  void operator()(const char*, V& v) {
    if (equal)
      equal = equal_fields(v, *static_cast<const V*>(other[next]));
    ++next;
  }
  template <class V>
  void always(const char* name, V& v) {
    (*this)(name, v);
  }
};

}  // namespace detail

template <class T>
bool equal_fields(const T& a, const T& b) {
  if constexpr (detail::walkable<T>::value) {
    std::vector<const void*> of_b;
    detail::field_addresses collect{of_b};
    fields(collect, const_cast<T&>(b));
    detail::field_comparer compare{of_b};
    fields(compare, const_cast<T&>(a));
    return compare.equal;
  } else if constexpr (detail::is_vector<T>::value) {
    if (a.size() != b.size())
      return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!equal_fields(a[i], b[i]))
        return false;
    return true;
  } else if constexpr (detail::is_optional<T>::value) {
    if (a.has_value() != b.has_value())
      return false;
    return !a.has_value() || equal_fields(*a, *b);
  } else if constexpr (detail::is_map<T>::value) {
    if (a.size() != b.size())
      return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
      if (!(i->first == j->first) || !equal_fields(i->second, j->second))
        return false;
    return true;
  } else if constexpr (detail::is_variant<T>::value) {
    if (a.index() != b.index())
      return false;
    return std::visit(
        [&](const auto& x) { return equal_fields(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
  } else {
    return a == b;
  }
}

}  // namespace capstan::messages
