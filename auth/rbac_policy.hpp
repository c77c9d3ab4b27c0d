// The cluster's RBAC objects, indexed for authorization (Kubernetes' RBAC authorizer and its
// rule resolver): who may do what, which rules a user holds, and whether a user may grant a
// role (no escalation). Deny by default; members of system:masters may do anything.
//
// A value: readers share an immutable one (the API server swaps in a new one when an RBAC
// object changes); nothing here blocks or allocates per request beyond the rules it returns.
// Costs: authorize() visits every ClusterRoleBinding and the request namespace's RoleBindings,
// as Kubernetes does; roles are found by name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auth/request_attributes.hpp"
#include "messages/rbac.hpp"

namespace capstan::auth {

inline const char* const masters_group = "system:masters";

struct authorization_decision {
  bool allowed = false;
  // When allowed: what allowed it, in Kubernetes' words ("RBAC: allowed by ClusterRoleBinding
  // \"x\" of ClusterRole \"view\" to User \"bob\""). When refused: why, if an authorizer
  // said (the Node authorizer's "no relationship found between node 'a' and this object"), or
  // "".
  std::string reason;
};

// Why a user may not create a role or binding: a 403 (escalation) or a 404 (the role to bind
// does not exist), with Kubernetes' message.
struct grant_refusal {
  bool role_not_found = false;
  std::string message;
};

class rbac_policy {
public:
  // A Role (metadata.namespace set) or ClusterRole (none), replacing one of the same name.
  void put_role(const messages::role& r);
  void remove_role(const std::string& namespace_, const std::string& name);
  // A RoleBinding (metadata.namespace set) or ClusterRoleBinding (none).
  void put_binding(const messages::role_binding& b);
  void remove_binding(const std::string& namespace_, const std::string& name);

  authorization_decision authorize(const request_attributes& request) const;

  // The rules `user` holds in `namespace_`: those of every ClusterRoleBinding that names them,
  // and in a namespace ("" : none) those of its RoleBindings that do. A binding to a role that
  // does not exist grants nothing.
  std::vector<messages::policy_rule> rules_for(const user_identity& user,
                                               const std::string& namespace_) const;

  // Why `user` may not create or update `r` (nullopt: they may): they hold every rule it has
  // (where it applies: its namespace, or cluster-wide for a ClusterRole), or may `escalate`
  // roles — checked, as Kubernetes does, with the name the request's URL carries
  // (`request_name`: "" for a create, so `escalate` limited by resourceNames allows updates of
  // those roles only) — or are in system:masters. The message is Kubernetes'.
  std::optional<grant_refusal> role_escalation(const user_identity& user, const messages::role& r,
                                               const std::string& request_name) const;
  // Why `user` may not create or update `b` (nullopt: they may): they may `bind` the role it
  // grants, or hold every rule of that role (in the binding's namespace), or are in
  // system:masters. A role that does not exist is refused as not found (masters aside).
  std::optional<grant_refusal> binding_escalation(const user_identity& user,
                                                  const messages::role_binding& b) const;

private:
  const messages::role* find_role(const messages::role_ref& ref,
                                  const std::string& binding_namespace) const;
  // Calls visit(binding, role, subject) for each binding that grants `user` a role that exists,
  // cluster bindings first; stops when visit returns true.
  template <class Visit>
  void visit_grants(const user_identity& user, const std::string& namespace_, Visit visit) const;

  std::map<std::string, messages::role> cluster_roles_;
  std::map<std::string, std::map<std::string, messages::role>> roles_;  // namespace, name
  std::map<std::string, messages::role_binding> cluster_bindings_;
  std::map<std::string, std::map<std::string, messages::role_binding>> bindings_;
};

// A refusal in Kubernetes' words: User "bob" cannot list resource "pods" in API group "" in the
// namespace "team-a" (or "at the cluster scope"; or cannot get path "/metrics").
std::string forbidden_message(const request_attributes& request);

}  // namespace capstan::auth
