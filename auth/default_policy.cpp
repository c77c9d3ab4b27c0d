#include "auth/default_policy.hpp"

namespace capstan::auth {

using messages::policy_rule;
using messages::role;
using messages::role_binding;

namespace {

using words = std::vector<std::string>;

const words read = {"get", "list", "watch"};
const words write = {"create", "update", "patch", "delete", "deletecollection"};

words operator+(words a, const words& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

policy_rule core(const words& verbs, const words& resources) {
  return policy_rule{verbs, {""}, resources, {}, {}};
}

policy_rule in_group(const std::string& group, const words& verbs, const words& resources) {
  return policy_rule{verbs, {group}, resources, {}, {}};
}

policy_rule urls(const words& verbs, const words& paths) {
  return policy_rule{verbs, {}, {}, {}, paths};
}

messages::object_meta bootstrap_meta(const std::string& name) {
  messages::object_meta m;
  m.name = name;
  m.labels["kubernetes.io/bootstrapping"] = "rbac-defaults";
  m.annotations["rbac.authorization.kubernetes.io/autoupdate"] = "true";
  return m;
}

role cluster_role(const std::string& name, std::vector<policy_rule> rules) {
  return role{bootstrap_meta(name), std::move(rules)};
}

// view: read what a namespace runs, not its secrets nor who may do what there.
std::vector<policy_rule> view_rules() {
  return {core(read, {"pods", "replicationcontrollers", "replicationcontrollers/scale",
                      "serviceaccounts", "services", "services/status", "endpoints",
                      "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"}),
          core(read, {"limitranges", "resourcequotas", "bindings", "events", "pods/status",
                      "resourcequotas/status", "namespaces/status",
                      "replicationcontrollers/status", "pods/log"}),
          core(read, {"namespaces"})};
}

// edit: view, and change what a namespace runs (secrets included), exec into its pods.
std::vector<policy_rule> edit_rules() {
  auto rules = view_rules();
  rules.push_back(core(read, {"pods/attach", "pods/proxy", "pods/exec", "pods/portforward",
                              "secrets", "services/proxy"}));
  rules.push_back(core({"impersonate"}, {"serviceaccounts"}));
  rules.push_back(core(write, {"pods", "pods/attach", "pods/proxy", "pods/exec",
                               "pods/portforward"}));
  rules.push_back(core({"create"}, {"pods/eviction"}));
  rules.push_back(core(write, {"replicationcontrollers", "replicationcontrollers/scale",
                               "serviceaccounts", "services", "services/proxy",
                               "persistentvolumeclaims", "configmaps", "secrets", "events"}));
  rules.push_back(core({"create"}, {"serviceaccounts/token"}));
  return rules;
}

// admin: edit, and who may do what in the namespace.
std::vector<policy_rule> admin_rules() {
  auto rules = edit_rules();
  rules.push_back(in_group("authorization.k8s.io", {"create"}, {"localsubjectaccessreviews"}));
  rules.push_back(in_group("rbac.authorization.k8s.io", read + write, {"roles", "rolebindings"}));
  return rules;
}

role_binding to_groups(const std::string& name, const std::string& role_name, const words& groups) {
  role_binding b;
  b.metadata = bootstrap_meta(name);
  b.role_ref_.kind = "ClusterRole";
  b.role_ref_.name = role_name;
  for (const auto& g : groups)
    b.subjects.push_back({"Group", "rbac.authorization.k8s.io", g, ""});
  return b;
}

const words health_paths = {"/livez", "/readyz", "/healthz", "/version", "/version/"};

}  // namespace

std::vector<role> default_cluster_roles() {
  return {
      cluster_role("cluster-admin", {policy_rule{{"*"}, {"*"}, {"*"}, {}, {}}, urls({"*"}, {"*"})}),
      cluster_role("admin", admin_rules()),
      cluster_role("edit", edit_rules()),
      cluster_role("view", view_rules()),
      cluster_role("system:basic-user",
                   {in_group("authorization.k8s.io", {"create"},
                             {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
                    in_group("authentication.k8s.io", {"create"}, {"selfsubjectreviews"})}),
      cluster_role("system:discovery",
                   {urls({"get"}, health_paths + words{"/api", "/api/*", "/apis", "/apis/*",
                                                       "/openapi", "/openapi/*"})}),
      cluster_role("system:public-info-viewer", {urls({"get"}, health_paths)}),
  };
}

std::vector<role_binding> default_cluster_role_bindings() {
  return {
      to_groups("cluster-admin", "cluster-admin", {"system:masters"}),
      to_groups("system:basic-user", "system:basic-user", {"system:authenticated"}),
      to_groups("system:discovery", "system:discovery", {"system:authenticated"}),
      to_groups("system:public-info-viewer", "system:public-info-viewer",
                {"system:authenticated", "system:unauthenticated"}),
  };
}

rbac_policy bootstrap_policy() {
  rbac_policy policy;
  for (const auto& r : default_cluster_roles())
    policy.put_role(r);
  for (const auto& b : default_cluster_role_bindings())
    policy.put_binding(b);
  return policy;
}

}  // namespace capstan::auth
