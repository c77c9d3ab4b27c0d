// The matching rules of RBAC, as Kubernetes defines them (pkg/apis/rbac/v1/evaluation_helpers,
// pkg/registry/rbac/validation): whether one rule allows a request, whether a binding's subject
// is a user, and whether one set of rules covers another (what keeps a user from granting more
// than they hold). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "auth/request_attributes.hpp"
#include "messages/rbac.hpp"

namespace capstan::auth {

// Whether `rule` allows `request`: its verb, and for a resource request its API group, its
// resource ("pods", or "pods/log" with a subresource; "*" and "*/log" match too) and its name
// (when the rule lists names), or for another path one of the rule's URLs ("/api/*" matches
// what starts with "/api/").
bool rule_allows(const messages::policy_rule& rule, const request_attributes& request);

// Whether a binding in `binding_namespace` ("" for a ClusterRoleBinding) that names `who` grants
// to `user`: a User by name, a Group the user is in, or a ServiceAccount whose user name is
// system:serviceaccount:NS:NAME (NS defaulting to the binding's namespace).
bool subject_matches(const messages::subject& who, const user_identity& user,
                     const std::string& binding_namespace);

// The parts of `requested` that `owned` does not cover, each as one verb on one group's
// resource (one name, when named) or on one URL; empty when everything is covered. A rule with
// no names covers every name; "*" covers all; "*/status" covers every status subresource.
// Bounded in time and memory whatever the lists' sizes: at most 64 rules are reported, and past
// 200,000 combinations checked the rest counts as not covered (a last rule says so).
std::vector<messages::policy_rule> uncovered_rules(const std::vector<messages::policy_rule>& owned,
                                                   const std::vector<messages::policy_rule>& requested);

// A rule as Kubernetes prints it in an escalation error:
// {APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}.
std::string describe_rule(const messages::policy_rule& rule);

}  // namespace capstan::auth
