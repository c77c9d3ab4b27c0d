// RBAC objects (rbac.authorization.k8s.io/v1): Role and ClusterRole hold rules, RoleBinding and
// ClusterRoleBinding grant a role to subjects. A Role and a RoleBinding live in a namespace and
// grant only there; the cluster kinds have no namespace (a ClusterRole bound by a RoleBinding
// grants its rules in the binding's namespace only).
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

// What a rule allows: every verb in `verbs` on every resource in `resources` of every group in
// `api_groups` ("" is the core group), limited to `resource_names` when any are given; or, for
// paths that are not resources (/version, /healthz), the verbs on `non_resource_urls` (a
// trailing "*" matches any rest). "*" in a list matches anything; "*/status" any resource's
// status subresource.
struct policy_rule {
  std::vector<std::string> verbs;
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> resource_names;
  std::vector<std::string> non_resource_urls;
};
template <class F>
void fields(F& f, policy_rule& x) {
  f.always("verbs", x.verbs);
  f("apiGroups", x.api_groups);
  f("resources", x.resources);
  f("resourceNames", x.resource_names);
  f("nonResourceURLs", x.non_resource_urls);
}

// Role (namespaced) and ClusterRole (metadata.namespace empty; its own type below, so that the
// object variant holds each kind once).
struct role {
  object_meta metadata;
  std::vector<policy_rule> rules;
};
template <class F>
void fields(F& f, role& x) {
  f.always("metadata", x.metadata);
  f("rules", x.rules);
}

struct cluster_role : role {};

// The role a binding grants: kind Role (in the binding's namespace) or ClusterRole.
struct role_ref {
  std::string api_group = "rbac.authorization.k8s.io";
  std::string kind;
  std::string name;
};
template <class F>
void fields(F& f, role_ref& x) {
  f.always("apiGroup", x.api_group);
  f.always("kind", x.kind);
  f.always("name", x.name);
}

// Who is granted: kind User or Group (api_group rbac.authorization.k8s.io), or ServiceAccount
// (api_group "", with its namespace; in a RoleBinding an empty namespace is the binding's).
struct subject {
  std::string kind;
  std::string api_group;
  std::string name;
  std::string namespace_;
};
template <class F>
void fields(F& f, subject& x) {
  f.always("kind", x.kind);
  f("apiGroup", x.api_group);
  f.always("name", x.name);
  f("namespace", x.namespace_);
}

// RoleBinding (namespaced) and ClusterRoleBinding (metadata.namespace empty).
struct role_binding {
  object_meta metadata;
  std::vector<subject> subjects;
  role_ref role_ref_;
};
template <class F>
void fields(F& f, role_binding& x) {
  f.always("metadata", x.metadata);
  f("subjects", x.subjects);
  f.always("roleRef", x.role_ref_);
}

struct cluster_role_binding : role_binding {};

}  // namespace capstan::messages
