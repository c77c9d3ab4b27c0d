#include "auth/node_authorizer.hpp"

#include <algorithm>

namespace capstan::auth {

namespace {

bool is_one_of(const std::string& verb, std::initializer_list<const char*> verbs) {
  return std::any_of(verbs.begin(), verbs.end(), [&](const char* v) { return verb == v; });
}

node_decision allow() { return {true, ""}; }
node_decision refuse(std::string reason) { return {false, std::move(reason)}; }

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// Whether a list or watch reads only `field`=`value` (one of its requirements says so).
bool requires_field(const request_attributes& r, const std::string& field,
                    const std::string& value) {
  return std::any_of(r.required_fields.begin(), r.required_fields.end(),
                     [&](const auto& f) { return f.first == field && f.second == value; });
}

node_decision own_node(const std::string& node, const request_attributes& r) {
  if (is_one_of(r.verb, {"get", "list", "watch"})) {
    if (!r.subresource.empty())
      return refuse("node " + quoted(node) + " cannot read node subresource " +
                    quoted(r.subresource));
    if (r.name == node)
      return allow();
    if (r.name.empty())
      return refuse("node " + quoted(node) + " cannot read all nodes, only its own Node object");
    return refuse("node " + quoted(node) + " cannot read " + quoted(r.name) +
                  ", only its own Node object");
  }
  if (is_one_of(r.verb, {"update", "patch"}) &&
      (r.subresource.empty() || r.subresource == "status")) {
    if (r.name == node)
      return allow();
    return refuse("node " + quoted(node) + " is not allowed to modify node " + quoted(r.name));
  }
  return refuse("node " + quoted(node) + " cannot " + r.verb + " nodes" +
                (r.subresource.empty() ? "" : "/" + r.subresource));
}

node_decision bound_pods(const std::string& node, const request_attributes& r,
                         const node_graph& graph) {
  const bool whole = r.subresource.empty();
  const bool read = is_one_of(r.verb, {"get", "list", "watch"});
  const bool allowed_verb =
      (whole && (read || r.verb == "delete")) ||
      (r.subresource == "status" && is_one_of(r.verb, {"get", "update", "patch"}));
  if (!allowed_verb)
    return refuse("node " + quoted(node) + " cannot " + r.verb + " pods" +
                  (whole ? "" : "/" + r.subresource));
  // A list or watch must select the node's pods: one named by metadata.name may be deleted and
  // created again on another node while the watch goes on (or replay an older one).
  if (is_one_of(r.verb, {"list", "watch"})) {
    if (requires_field(r, "spec.nodeName", node))
      return allow();
    return refuse("can only list/watch pods with spec.nodeName=" + node + " field selector");
  }
  if (r.name.empty())
    return refuse("no relationship found between node " + quoted(node) + " and this object");
  if (!r.namespace_.empty() && graph.node_of_pod(r.namespace_, r.name) == node)
    return allow();
  return refuse("no relationship found between node " + quoted(node) + " and this object");
}

node_decision used_config(const std::string& node, const request_attributes& r,
                          const node_graph& graph) {
  if (!is_one_of(r.verb, {"get", "list", "watch"}) || !r.subresource.empty())
    return refuse("can only get individual resources of this type");
  if (r.name.empty() || r.namespace_.empty())
    return refuse("can only get individual resources of this type");
  if (graph.node_uses(node, r.resource, r.namespace_, r.name))
    return allow();
  return refuse("no relationship found between node " + quoted(node) + " and this object");
}

}  // namespace

std::optional<std::string> node_name_of(const user_identity& user) {
  const std::string prefix = node_user_prefix;
  if (user.name.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  if (std::find(user.groups.begin(), user.groups.end(), nodes_group) == user.groups.end())
    return std::nullopt;
  return user.name.substr(prefix.size());
}

node_decision authorize_node(const request_attributes& r, const node_graph& graph) {
  auto node = node_name_of(r.user);
  if (!node)
    return {};
  if (node->empty())
    return refuse("unknown node for user " + quoted(r.user.name));
  if (!r.resource_request || !r.api_group.empty())
    return {};
  if (r.resource == "nodes")
    return own_node(*node, r);
  if (r.resource == "pods")
    return bound_pods(*node, r, graph);
  if (r.resource == "secrets" || r.resource == "configmaps")
    return used_config(*node, r, graph);
  if ((r.resource == "services" || r.resource == "endpoints") && r.subresource.empty() &&
      is_one_of(r.verb, {"get", "list", "watch"}))
    return allow();
  if (r.resource == "events" && r.subresource.empty() &&
      is_one_of(r.verb, {"create", "update", "patch"}))
    return allow();
  return {};
}

}  // namespace capstan::auth
