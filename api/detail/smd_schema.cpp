// Derives the structured-merge-diff schema of every kind from the field lists of messages/.
#include "api/detail/smd_schema.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "messages/detail/type_traits.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

namespace {

const schema_node scalar_node{shape::scalar, {}, nullptr, {}};
const schema_node atomic_node{shape::atomic, {}, nullptr, {}};
const schema_node scalar_map_node{shape::map, {}, &scalar_node, {}};

// Merge keys of list element types, as core/v1 declares them (x-kubernetes-list-map-keys);
// lists of any other element type are atomic.
template <class T>
std::vector<key_field> list_keys() {
  return {};
}
template <>
std::vector<key_field> list_keys<m::container>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::volume>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::env_var>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::local_object_reference>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::volume_mount>() {
  return {{"mountPath", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::container_port>() {
  return {{"containerPort", nullptr}, {"protocol", "TCP"}};
}
template <>
std::vector<key_field> list_keys<m::service_port>() {
  return {{"port", nullptr}, {"protocol", "TCP"}};
}
template <>
std::vector<key_field> list_keys<m::owner_reference>() {
  return {{"uid", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::pod_condition>() {
  return {{"type", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::node_condition>() {
  return {{"type", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::node_address>() {
  return {{"type", nullptr}};
}

// Structs core/v1 marks +structType=atomic.
template <class T>
inline constexpr bool atomic_struct = false;
template <>
inline constexpr bool atomic_struct<m::owner_reference> = true;
template <>
inline constexpr bool atomic_struct<m::object_reference> = true;
template <>
inline constexpr bool atomic_struct<m::object_field_selector> = true;

template <class T>
const schema_node* schema_of();

// Maps core/v1 marks +mapType=atomic: the RC and service selectors and a pod's nodeSelector.
template <class V>
const schema_node* field_schema(std::string_view name) {
  if constexpr (std::is_same_v<V, m::string_map>)
    return name == "selector" || name == "nodeSelector" ? &atomic_node : &scalar_map_node;
  else
    return schema_of<V>();
}

struct schema_builder {
  schema_node& node;
  template <class V>
  void operator()(const char* name, V&) {
    if constexpr (!std::is_same_v<V, m::sealed_bytes>)  // never in JSON
      node.fields.emplace_back(name, field_schema<V>(name));
  }
  template <class V>
  void always(const char* name, V& v) {
    (*this)(name, v);
  }
};

// The schema of C++ type T, derived from its field list once. Thread-safe.
template <class T>
const schema_node* schema_of() {
  using m::detail::is_optional;
  using m::detail::is_vector;
  if constexpr (is_optional<T>::value) {
    return schema_of<typename T::value_type>();
  } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                       std::is_same_v<T, m::rare_string> ||
                       std::is_same_v<T, m::quantity> || std::is_same_v<T, m::timestamp> ||
                       std::is_same_v<T, m::int_or_string>) {
    return &scalar_node;
  } else if constexpr (std::is_same_v<T, m::raw_json_object>) {
    return &atomic_node;
  } else if constexpr (std::is_same_v<T, m::string_map> || std::is_same_v<T, m::resource_list> ||
                       std::is_same_v<T, m::byte_map>) {
    return &scalar_map_node;
  } else if constexpr (is_vector<T>::value) {
    using element = typename T::value_type;
    if constexpr (std::is_same_v<element, std::string>) {
      return &atomic_node;
    } else {
      static const schema_node node = [] {
        auto keys = list_keys<element>();
        if (keys.empty())
          return schema_node{shape::atomic, {}, nullptr, {}};
        std::sort(keys.begin(), keys.end(),
                  [](const key_field& a, const key_field& b) { return a.name < b.name; });
        return schema_node{shape::keyed_list, {}, schema_of<element>(), std::move(keys)};
      }();
      return &node;
    }
  } else if constexpr (atomic_struct<T>) {
    return &atomic_node;
  } else {
    static const schema_node node = [] {
      schema_node n{shape::record, {}, nullptr, {}};
      schema_builder builder{n};
      T probe{};
      fields(builder, probe);
      return n;
    }();
    return &node;
  }
}

}  // namespace

const schema_node* kind_schema(m::object_kind kind) {
  static const std::array<schema_node, m::object_kind_count> nodes = [] {
    std::array<schema_node, m::object_kind_count> out;
    for (std::size_t k = 0; k < m::object_kind_count; ++k) {
      m::any_object probe = m::make_object(static_cast<m::object_kind>(k));
      std::visit(
          [&](auto& o) {
            out[k] = *schema_of<std::decay_t<decltype(o)>>();
            out[k].fields.emplace_back("apiVersion", &scalar_node);
            out[k].fields.emplace_back("kind", &scalar_node);
          },
          probe);
    }
    return out;
  }();
  return &nodes[static_cast<std::size_t>(kind)];
}

}  // namespace capstan::api::detail
