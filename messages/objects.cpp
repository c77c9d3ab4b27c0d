#include "messages/objects.hpp"

#include "messages/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ostream>

namespace capstan::messages {

namespace {

constexpr std::string_view rbac_group = "rbac.authorization.k8s.io";

constexpr std::array<kind_info, object_kind_count> kinds = {{
    {object_kind::namespace_, "Namespace", "namespaces", "namespace", "ns", false},
    {object_kind::pod, "Pod", "pods", "pod", "po", true},
    {object_kind::replication_controller, "ReplicationController", "replicationcontrollers",
     "replicationcontroller", "rc", true},
    {object_kind::service, "Service", "services", "service", "svc", true},
    {object_kind::endpoints, "Endpoints", "endpoints", "endpoints", "ep", true},
    {object_kind::node, "Node", "nodes", "node", "no", false},
    {object_kind::event, "Event", "events", "event", "ev", true},
    {object_kind::resource_quota, "ResourceQuota", "resourcequotas", "resourcequota", "quota",
     true},
    {object_kind::limit_range, "LimitRange", "limitranges", "limitrange", "limits", true},
    {object_kind::role, "Role", "roles", "role", "", true, rbac_group},
    {object_kind::cluster_role, "ClusterRole", "clusterroles", "clusterrole", "", false,
     rbac_group},
    {object_kind::role_binding, "RoleBinding", "rolebindings", "rolebinding", "", true,
     rbac_group},
    {object_kind::cluster_role_binding, "ClusterRoleBinding", "clusterrolebindings",
     "clusterrolebinding", "", false, rbac_group},
    {object_kind::secret, "Secret", "secrets", "secret", "", true},
    {object_kind::config_map, "ConfigMap", "configmaps", "configmap", "cm", true},
    {object_kind::service_account, "ServiceAccount", "serviceaccounts", "serviceaccount", "sa",
     true},
}};

template <std::size_t... I>
any_object make_object_at(object_kind kind, std::index_sequence<I...>) {
  any_object result;
  ((static_cast<std::size_t>(kind) == I ? void(result.emplace<I>()) : void()), ...);
  return result;
}

}  // namespace

const kind_info& info(object_kind kind) {
  return kinds[static_cast<std::size_t>(kind)];
}

std::string api_version(object_kind kind) {
  const auto& k = info(kind);
  return k.group.empty() ? "v1" : std::string(k.group) + "/v1";
}

std::string group_resource(object_kind kind) {
  const auto& k = info(kind);
  return k.group.empty() ? std::string(k.resource)
                         : std::string(k.resource) + "." + std::string(k.group);
}

std::optional<object_kind> kind_from_name(std::string_view name) {
  for (const auto& k : kinds)
    if (k.name == name)
      return k.kind;
  return std::nullopt;
}

std::optional<object_kind> kind_from_resource(std::string_view resource) {
  const std::string lower = ascii_lower(std::string(resource));
  for (const auto& k : kinds) {
    std::string_view name = lower;
    // "rolebindings.rbac.authorization.k8s.io": the group may follow, as kubectl allows.
    if (!k.group.empty() && name.size() > k.group.size() + 1 &&
        name.substr(name.size() - k.group.size()) == k.group &&
        name[name.size() - k.group.size() - 1] == '.')
      name = name.substr(0, name.size() - k.group.size() - 1);
    if (k.resource == name || k.singular == name || (!k.short_name.empty() && k.short_name == name))
      return k.kind;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, object_kind kind) {
  return out << info(kind).name;
}

any_object make_object(object_kind kind) {
  return make_object_at(kind, std::make_index_sequence<object_kind_count>{});
}

}  // namespace capstan::messages
