// A hash of an API struct through its field list, consistent with equal_fields (equal values
// hash alike): for finding equal parts of objects without comparing every pair.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <variant>

#include "messages/equal_fields.hpp"
#include "messages/types.hpp"

namespace capstan::messages {

template <class T>
std::size_t hash_fields(const T& value);

namespace detail {

inline std::size_t mix_hash(std::size_t seed, std::size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

struct field_hasher {
  std::size_t seed = 0;
  template <class V>
  void operator()(const char*, V& v) {
    seed = mix_hash(seed, hash_fields(v));
  }
  template <class V>
  void always(const char*, V& v) {
    seed = mix_hash(seed, hash_fields(v));
  }
};

}  // namespace detail

template <class T>
std::size_t hash_fields(const T& value) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, rare_string>) {
    return std::hash<std::string>{}(value);
  } else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    return std::hash<T>{}(value);
  } else if constexpr (std::is_same_v<T, timestamp>) {
    return std::hash<int64_t>{}(value.seconds);
  } else if constexpr (std::is_same_v<T, quantity>) {
    return std::hash<std::string>{}(value.text());
  } else if constexpr (std::is_same_v<T, int_or_string>) {
    return detail::mix_hash(std::hash<int32_t>{}(value.int_value),
                            std::hash<std::string>{}(value.string_value));
  } else if constexpr (std::is_same_v<T, raw_json_object>) {
    return std::hash<std::string>{}(value.text);
  } else if constexpr (std::is_same_v<T, sealed_bytes>) {
    return std::hash<std::string>{}(value.envelope);
  } else if constexpr (detail::walkable<T>::value) {
    detail::field_hasher hasher;
    fields(hasher, const_cast<T&>(value));
    return hasher.seed;
  } else if constexpr (detail::is_vector<T>::value) {
    std::size_t seed = value.size();
    for (const auto& item : value)
      seed = detail::mix_hash(seed, hash_fields(item));
    return seed;
  } else if constexpr (detail::is_optional<T>::value) {
    return value ? detail::mix_hash(1, hash_fields(*value)) : 0;
  } else if constexpr (detail::is_map<T>::value || std::is_same_v<T, byte_map>) {
    std::size_t seed = value.size();
    for (const auto& [key, item] : value)
      seed = detail::mix_hash(detail::mix_hash(seed, hash_fields(key)), hash_fields(item));
    return seed;
  } else if constexpr (detail::is_variant<T>::value) {
    return detail::mix_hash(value.index(),
                            std::visit([](const auto& x) { return hash_fields(x); }, value));
  } else {
    static_assert(!sizeof(T), "hash_fields: a type it cannot walk");
  }
}

}  // namespace capstan::messages
