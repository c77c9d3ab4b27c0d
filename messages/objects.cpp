#include "messages/objects.hpp"

#include "messages/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ostream>

namespace capstan::messages {

namespace {

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

std::optional<object_kind> kind_from_name(std::string_view name) {
  for (const auto& k : kinds)
    if (k.name == name)
      return k.kind;
  return std::nullopt;
}

std::optional<object_kind> kind_from_resource(std::string_view resource) {
  const std::string lower = ascii_lower(std::string(resource));
  for (const auto& k : kinds)
    if (k.resource == lower || k.singular == lower ||
        (!k.short_name.empty() && k.short_name == lower))
      return k.kind;
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, object_kind kind) {
  return out << info(kind).name;
}

any_object make_object(object_kind kind) {
  return make_object_at(kind, std::make_index_sequence<object_kind_count>{});
}

}  // namespace capstan::messages
