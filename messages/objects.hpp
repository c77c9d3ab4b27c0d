// Every kind of object capstan stores, as one variant, plus per-kind names and scope.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>
#include <variant>

#include "messages/config.hpp"
#include "messages/event.hpp"
#include "messages/namespace.hpp"
#include "messages/node.hpp"
#include "messages/pod.hpp"
#include "messages/policy.hpp"
#include "messages/rbac.hpp"
#include "messages/replication_controller.hpp"
#include "messages/service.hpp"

namespace capstan::messages {

// The kinds, in the order of `any_object`'s alternatives. Stored in the journal as a number:
// never renumber; append new kinds at the end.
enum class object_kind : uint8_t {
  namespace_ = 0,
  pod = 1,
  replication_controller = 2,
  service = 3,
  endpoints = 4,
  node = 5,
  event = 6,
  resource_quota = 7,
  limit_range = 8,
  role = 9,
  cluster_role = 10,
  role_binding = 11,
  cluster_role_binding = 12,
  secret = 13,
  config_map = 14,
  service_account = 15,
};
inline constexpr std::size_t object_kind_count = 16;

using any_object =
    std::variant<namespace_object, pod, replication_controller, service, endpoints, node, event,
                 resource_quota, limit_range, role, cluster_role, role_binding, cluster_role_binding,
                 secret, config_map, service_account>;

// Static facts about a kind, as the Kubernetes API names them.
struct kind_info {
  object_kind kind;
  std::string_view name;        // "ReplicationController"
  std::string_view resource;    // "replicationcontrollers"
  std::string_view singular;    // "replicationcontroller"
  std::string_view short_name;  // "rc" ("" when none)
  bool namespaced;
  std::string_view group = "";  // "" for the core group, "rbac.authorization.k8s.io"
};

// "v1" for the core group, "GROUP/v1" otherwise: the apiVersion of the kind's objects.
std::string api_version(object_kind kind);
// The resource qualified by its group, as Kubernetes names it in messages: "pods",
// "roles.rbac.authorization.k8s.io".
std::string group_resource(object_kind kind);

const kind_info& info(object_kind kind);
// "Pod" -> pod. Exact Kubernetes kind names only.
std::optional<object_kind> kind_from_name(std::string_view name);
// "pods", "pod", "po" (any case) -> pod, as kubectl resolves resource arguments.
std::optional<object_kind> kind_from_resource(std::string_view resource);

template <class T>
constexpr object_kind kind_of();
template <>
constexpr object_kind kind_of<namespace_object>() {
  return object_kind::namespace_;
}
template <>
constexpr object_kind kind_of<pod>() {
  return object_kind::pod;
}
template <>
constexpr object_kind kind_of<replication_controller>() {
  return object_kind::replication_controller;
}
template <>
constexpr object_kind kind_of<service>() {
  return object_kind::service;
}
template <>
constexpr object_kind kind_of<endpoints>() {
  return object_kind::endpoints;
}
template <>
constexpr object_kind kind_of<node>() {
  return object_kind::node;
}
template <>
constexpr object_kind kind_of<event>() {
  return object_kind::event;
}
template <>
constexpr object_kind kind_of<resource_quota>() {
  return object_kind::resource_quota;
}
template <>
constexpr object_kind kind_of<limit_range>() {
  return object_kind::limit_range;
}

template <>
constexpr object_kind kind_of<role>() {
  return object_kind::role;
}
template <>
constexpr object_kind kind_of<cluster_role>() {
  return object_kind::cluster_role;
}
template <>
constexpr object_kind kind_of<role_binding>() {
  return object_kind::role_binding;
}
template <>
constexpr object_kind kind_of<cluster_role_binding>() {
  return object_kind::cluster_role_binding;
}
template <>
constexpr object_kind kind_of<secret>() {
  return object_kind::secret;
}
template <>
constexpr object_kind kind_of<config_map>() {
  return object_kind::config_map;
}
template <>
constexpr object_kind kind_of<service_account>() {
  return object_kind::service_account;
}

inline object_kind kind_of(const any_object& object) {
  return static_cast<object_kind>(object.index());
}
inline object_meta& meta_of(any_object& object) {
  return std::visit([](auto& o) -> object_meta& { return o.metadata; }, object);
}
inline const object_meta& meta_of(const any_object& object) {
  return std::visit([](auto& o) -> const object_meta& { return o.metadata; }, object);
}

// Prints the kind's name ("Pod").
std::ostream& operator<<(std::ostream& out, object_kind kind);

// A default-constructed object of the given kind.
any_object make_object(object_kind kind);

}  // namespace capstan::messages
