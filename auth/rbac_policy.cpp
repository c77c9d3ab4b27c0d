#include "auth/rbac_policy.hpp"

#include <algorithm>

#include "auth/rbac_rules.hpp"

namespace capstan::auth {

using messages::policy_rule;
using messages::role;
using messages::role_binding;
using messages::subject;

namespace {

const std::string rbac_group = "rbac.authorization.k8s.io";

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

bool in_masters(const user_identity& user) {
  return std::find(user.groups.begin(), user.groups.end(), masters_group) != user.groups.end();
}

// Kubernetes' describeSubject: Kind "name", a service account as "name/namespace".
std::string describe_subject(const subject& who, const std::string& binding_namespace) {
  if (who.kind == "ServiceAccount")
    return who.kind + " " +
           quoted(who.name + "/" + (who.namespace_.empty() ? binding_namespace : who.namespace_));
  return who.kind + " " + quoted(who.name);
}

std::string describe_binding(const role_binding& b, const subject& who) {
  const auto& ns = b.metadata.namespace_;
  return (ns.empty() ? "ClusterRoleBinding " + quoted(b.metadata.name)
                     : "RoleBinding " + quoted(b.metadata.name + "/" + ns)) +
         " of " + b.role_ref_.kind + " " + quoted(b.role_ref_.name) + " to " +
         describe_subject(who, ns);
}

std::string groups_text(const std::vector<std::string>& groups) {
  std::string out = "[";
  for (std::size_t i = 0; i < groups.size(); ++i)
    out += (i ? " " : "") + quoted(groups[i]);
  return out + "]";
}

// A user asking for `verb` on an RBAC object (escalate a role, bind a role).
request_attributes rbac_request(const user_identity& user, const std::string& verb,
                                const std::string& namespace_, const std::string& resource,
                                const std::string& name) {
  request_attributes r;
  r.user = user;
  r.verb = verb;
  r.namespace_ = namespace_;
  r.api_group = rbac_group;
  r.resource = resource;
  r.name = name;
  return r;
}

std::string escalation_message(const user_identity& user, const std::vector<policy_rule>& missing) {
  std::string out = "user " + quoted(user.name) + " (groups=" + groups_text(user.groups) +
                    ") is attempting to grant RBAC permissions not currently held:";
  std::vector<std::string> lines;
  for (const auto& rule : missing)
    lines.push_back(describe_rule(rule));
  std::sort(lines.begin(), lines.end());
  for (const auto& line : lines)
    out += "\n" + line;
  return out;
}

}  // namespace

void rbac_policy::put_role(const role& r) {
  if (r.metadata.namespace_.empty())
    cluster_roles_[r.metadata.name] = r;
  else
    roles_[r.metadata.namespace_][r.metadata.name] = r;
}

void rbac_policy::remove_role(const std::string& namespace_, const std::string& name) {
  if (namespace_.empty()) {
    cluster_roles_.erase(name);
    return;
  }
  auto it = roles_.find(namespace_);
  if (it != roles_.end() && it->second.erase(name) && it->second.empty())
    roles_.erase(it);
}

void rbac_policy::put_binding(const role_binding& b) {
  if (b.metadata.namespace_.empty())
    cluster_bindings_[b.metadata.name] = b;
  else
    bindings_[b.metadata.namespace_][b.metadata.name] = b;
}

void rbac_policy::remove_binding(const std::string& namespace_, const std::string& name) {
  if (namespace_.empty()) {
    cluster_bindings_.erase(name);
    return;
  }
  auto it = bindings_.find(namespace_);
  if (it != bindings_.end() && it->second.erase(name) && it->second.empty())
    bindings_.erase(it);
}

const role* rbac_policy::find_role(const messages::role_ref& ref,
                                   const std::string& binding_namespace) const {
  if (ref.kind == "ClusterRole") {
    auto it = cluster_roles_.find(ref.name);
    return it == cluster_roles_.end() ? nullptr : &it->second;
  }
  // A Role is in the binding's namespace; a ClusterRoleBinding cannot name one.
  if (ref.kind != "Role" || binding_namespace.empty())
    return nullptr;
  auto ns = roles_.find(binding_namespace);
  if (ns == roles_.end())
    return nullptr;
  auto it = ns->second.find(ref.name);
  return it == ns->second.end() ? nullptr : &it->second;
}

template <class Visit>
void rbac_policy::visit_grants(const user_identity& user, const std::string& namespace_,
                               Visit visit) const {
  auto visit_binding = [&](const role_binding& b) {
    for (const auto& who : b.subjects)
      if (subject_matches(who, user, b.metadata.namespace_)) {
        const role* granted = find_role(b.role_ref_, b.metadata.namespace_);
        return granted != nullptr && visit(b, *granted, who);
      }
    return false;
  };
  for (const auto& [name, b] : cluster_bindings_)
    if (visit_binding(b))
      return;
  if (namespace_.empty())
    return;
  auto ns = bindings_.find(namespace_);
  if (ns == bindings_.end())
    return;
  for (const auto& [name, b] : ns->second)
    if (visit_binding(b))
      return;
}

authorization_decision rbac_policy::authorize(const request_attributes& request) const {
  if (in_masters(request.user))
    return {true, "allowed by the " + std::string(masters_group) + " group"};
  authorization_decision decision;
  visit_grants(request.user, request.namespace_,
               [&](const role_binding& b, const role& r, const subject& who) {
                 for (const auto& rule : r.rules)
                   if (rule_allows(rule, request)) {
                     decision = {true, "RBAC: allowed by " + describe_binding(b, who)};
                     return true;
                   }
                 return false;
               });
  return decision;
}

std::vector<policy_rule> rbac_policy::rules_for(const user_identity& user,
                                                const std::string& namespace_) const {
  std::vector<policy_rule> rules;
  visit_grants(user, namespace_, [&](const role_binding&, const role& r, const subject&) {
    rules.insert(rules.end(), r.rules.begin(), r.rules.end());
    return false;
  });
  return rules;
}

std::optional<grant_refusal> rbac_policy::role_escalation(const user_identity& user,
                                                          const role& r,
                                                          const std::string& request_name) const {
  const auto& ns = r.metadata.namespace_;
  if (in_masters(user) ||
      authorize(rbac_request(user, "escalate", ns, ns.empty() ? "clusterroles" : "roles",
                             request_name))
          .allowed)
    return std::nullopt;
  auto missing = uncovered_rules(rules_for(user, ns), r.rules);
  if (missing.empty())
    return std::nullopt;
  return grant_refusal{false, escalation_message(user, missing)};
}

std::optional<grant_refusal> rbac_policy::binding_escalation(const user_identity& user,
                                                             const role_binding& b) const {
  const auto& ns = b.metadata.namespace_;
  const auto& ref = b.role_ref_;
  if (in_masters(user))
    return std::nullopt;
  if ((ref.kind == "ClusterRole" || ref.kind == "Role") &&
      authorize(rbac_request(user, "bind", ns, ref.kind == "Role" ? "roles" : "clusterroles",
                             ref.name))
          .allowed)
    return std::nullopt;
  const role* granted = find_role(ref, ns);
  if (!granted)
    return grant_refusal{true, (ref.kind == "Role" ? "roles." : "clusterroles.") + rbac_group +
                                   " " + quoted(ref.name) + " not found"};
  auto missing = uncovered_rules(rules_for(user, ns), granted->rules);
  if (missing.empty())
    return std::nullopt;
  return grant_refusal{false, escalation_message(user, missing)};
}

std::string forbidden_message(const request_attributes& request) {
  const std::string user = "User " + quoted(request.user.name) + " cannot " + request.verb;
  if (!request.resource_request)
    return user + " path " + quoted(request.path);
  std::string resource = request.resource;
  if (!request.subresource.empty())
    resource += "/" + request.subresource;
  const std::string what = user + " resource " + quoted(resource) + " in API group " +
                           quoted(request.api_group);
  if (!request.namespace_.empty())
    return what + " in the namespace " + quoted(request.namespace_);
  return what + " at the cluster scope";
}

}  // namespace capstan::auth
