// Tests auth/rbac_policy.cpp: authorization through cluster and namespace bindings, the rules a
// user holds, escalation checks and Kubernetes' refusal messages.
#include <boost/test/unit_test.hpp>

#include "auth/default_policy.hpp"
#include "auth/rbac_policy.hpp"

using namespace capstan;
using namespace capstan::auth;
using messages::policy_rule;
using messages::role;
using messages::role_binding;

namespace {

const user_identity bob{"bob", "u-bob", {"system:authenticated"}};
const user_identity alice{"alice", "u-alice", {"team-b-admins", "system:authenticated"}};
const user_identity admin{"admin", "u-admin", {"system:masters", "system:authenticated"}};
const user_identity robot{"system:serviceaccount:team-a:builder", "u-robot",
                          {"system:serviceaccounts", "system:authenticated"}};

role_binding binding(std::string ns, std::string name, std::string role_kind,
                     std::string role_name, std::vector<messages::subject> subjects) {
  role_binding b;
  b.metadata.namespace_ = std::move(ns);
  b.metadata.name = std::move(name);
  b.role_ref_.kind = std::move(role_kind);
  b.role_ref_.name = std::move(role_name);
  b.subjects = std::move(subjects);
  return b;
}

messages::subject user(std::string name) {
  return {"User", "rbac.authorization.k8s.io", std::move(name), ""};
}

// The bootstrap policy, bob with view in team-a, the team-b-admins group with admin in team-b,
// and a Role in team-a that lets the builder service account update one config map.
rbac_policy cluster() {
  rbac_policy p;
  for (const auto& r : default_cluster_roles())
    p.put_role(r);
  for (const auto& b : default_cluster_role_bindings())
    p.put_binding(b);
  p.put_binding(binding("team-a", "bob-views", "ClusterRole", "view", {user("bob")}));
  p.put_binding(binding("team-b", "admins", "ClusterRole", "admin",
                        {{"Group", "rbac.authorization.k8s.io", "team-b-admins", ""}}));
  role settings;
  settings.metadata.namespace_ = "team-a";
  settings.metadata.name = "settings-writer";
  settings.rules = {policy_rule{{"get", "update"}, {""}, {"configmaps"}, {"settings"}, {}}};
  p.put_role(settings);
  p.put_binding(binding("team-a", "builder-settings", "Role", "settings-writer",
                        {{"ServiceAccount", "", "builder", ""}}));
  return p;
}

request_attributes ask(const user_identity& who, std::string verb, std::string ns,
                       std::string resource, std::string name = "", std::string subresource = "",
                       std::string group = "") {
  request_attributes r;
  r.user = who;
  r.verb = std::move(verb);
  r.namespace_ = std::move(ns);
  r.resource = std::move(resource);
  r.name = std::move(name);
  r.subresource = std::move(subresource);
  r.api_group = std::move(group);
  return r;
}

request_attributes ask_path(const user_identity& who, std::string verb, std::string path) {
  request_attributes r;
  r.user = who;
  r.verb = std::move(verb);
  r.resource_request = false;
  r.path = std::move(path);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_viewer_reads_its_namespace_and_nothing_else) {
  const auto p = cluster();
  struct row {
    request_attributes request;
    bool allowed;
  };
  const row rows[] = {
      {ask(bob, "list", "team-a", "pods"), true},
      {ask(bob, "get", "team-a", "pods", "web", "log"), true},
      {ask(bob, "watch", "team-a", "services"), true},
      {ask(bob, "get", "team-a", "namespaces", "team-a"), true},
      {ask(bob, "create", "team-a", "pods"), false},
      {ask(bob, "delete", "team-a", "pods", "web"), false},
      {ask(bob, "get", "team-a", "pods", "web", "exec"), false},
      {ask(bob, "get", "team-a", "secrets", "db"), false},
      {ask(bob, "list", "team-b", "pods"), false},
      {ask(bob, "list", "", "pods"), false},  // all namespaces: needs a cluster binding
      {ask(bob, "list", "", "nodes"), false},
      {ask_path(bob, "get", "/api/v1"), true},  // discovery, for every authenticated user
      {ask_path(bob, "get", "/version"), true},
      {ask_path(bob, "get", "/metrics"), false},
      {ask(bob, "create", "", "selfsubjectaccessreviews", "", "", "authorization.k8s.io"), true},
  };
  for (const auto& r : rows)
    BOOST_TEST(p.authorize(r.request).allowed == r.allowed,
               r.request.verb << " " << r.request.namespace_ << "/" << r.request.resource << "/"
                              << r.request.subresource << r.request.path);
}

BOOST_AUTO_TEST_CASE(a_group_binding_grants_every_member_and_admin_holds_edit_and_roles) {
  const auto p = cluster();
  BOOST_TEST(p.authorize(ask(alice, "create", "team-b", "pods")).allowed);
  BOOST_TEST(p.authorize(ask(alice, "create", "team-b", "pods", "web", "exec")).allowed);
  BOOST_TEST(p.authorize(ask(alice, "get", "team-b", "secrets", "db")).allowed);
  BOOST_TEST(p.authorize(ask(alice, "create", "team-b", "rolebindings", "", "",
                             "rbac.authorization.k8s.io"))
                 .allowed);
  BOOST_TEST(!p.authorize(ask(alice, "update", "team-b", "resourcequotas", "q")).allowed);
  BOOST_TEST(!p.authorize(ask(alice, "list", "team-a", "pods")).allowed);
  BOOST_TEST(!p.authorize(ask(alice, "create", "", "clusterrolebindings", "", "",
                              "rbac.authorization.k8s.io"))
                  .allowed);
}

BOOST_AUTO_TEST_CASE(a_service_account_holds_what_its_namespace_grants_it_by_name) {
  const auto p = cluster();
  BOOST_TEST(p.authorize(ask(robot, "update", "team-a", "configmaps", "settings")).allowed);
  BOOST_TEST(!p.authorize(ask(robot, "update", "team-a", "configmaps", "other")).allowed);
  BOOST_TEST(!p.authorize(ask(robot, "list", "team-a", "configmaps")).allowed);
  BOOST_TEST(!p.authorize(ask(robot, "update", "team-b", "configmaps", "settings")).allowed);
}

BOOST_AUTO_TEST_CASE(masters_may_do_anything_and_the_reason_names_the_grant) {
  const auto p = cluster();
  auto d = p.authorize(ask(admin, "delete", "", "nodes", "node1"));
  BOOST_TEST(d.allowed);
  BOOST_TEST(p.authorize(ask_path(admin, "get", "/metrics")).allowed);
  auto viewed = p.authorize(ask(bob, "list", "team-a", "pods"));
  BOOST_TEST(viewed.reason ==
             R"(RBAC: allowed by RoleBinding "bob-views/team-a" of ClusterRole "view" to User "bob")");
  auto robot_ok = p.authorize(ask(robot, "get", "team-a", "configmaps", "settings"));
  BOOST_TEST(robot_ok.reason == R"(RBAC: allowed by RoleBinding "builder-settings/team-a" of Role )"
                                R"("settings-writer" to ServiceAccount "builder/team-a")");
  BOOST_TEST(p.authorize(ask(bob, "create", "team-a", "pods")).reason == "");
}

BOOST_AUTO_TEST_CASE(removing_a_binding_or_its_role_takes_the_grant_away) {
  auto p = cluster();
  p.remove_binding("team-a", "bob-views");
  BOOST_TEST(!p.authorize(ask(bob, "list", "team-a", "pods")).allowed);
  p.put_binding(binding("team-a", "bob-views", "ClusterRole", "view", {user("bob")}));
  BOOST_TEST(p.authorize(ask(bob, "list", "team-a", "pods")).allowed);
  p.remove_role("", "view");
  BOOST_TEST(!p.authorize(ask(bob, "list", "team-a", "pods")).allowed);
  p.remove_role("team-a", "settings-writer");
  BOOST_TEST(!p.authorize(ask(robot, "get", "team-a", "configmaps", "settings")).allowed);
  // A ClusterRoleBinding cannot name a Role.
  p.put_role(role{[] {
                    messages::object_meta m;
                    m.namespace_ = "team-a";
                    m.name = "local";
                    return m;
                  }(),
                  {policy_rule{{"*"}, {"*"}, {"*"}, {}, {}}}});
  p.put_binding(binding("", "odd", "Role", "local", {user("bob")}));
  BOOST_TEST(!p.authorize(ask(bob, "delete", "team-a", "pods", "x")).allowed);
}

BOOST_AUTO_TEST_CASE(rules_for_lists_what_a_user_holds_where) {
  const auto p = cluster();
  auto in_a = p.rules_for(bob, "team-a");
  auto cluster_wide = p.rules_for(bob, "");
  BOOST_TEST(in_a.size() > cluster_wide.size());
  rbac_policy only_bob;
  only_bob.put_role(default_cluster_roles()[3]);  // view
  only_bob.put_binding(binding("team-a", "v", "ClusterRole", "view", {user("bob")}));
  BOOST_TEST(only_bob.rules_for(bob, "team-a").size() == default_cluster_roles()[3].rules.size());
  BOOST_TEST(only_bob.rules_for(bob, "team-b").empty());
  BOOST_TEST(only_bob.rules_for(alice, "team-a").empty());
}

BOOST_AUTO_TEST_CASE(nobody_grants_what_they_do_not_hold) {
  const auto p = cluster();
  role secrets_reader;
  secrets_reader.metadata.namespace_ = "team-a";
  secrets_reader.metadata.name = "secrets-reader";
  secrets_reader.rules = {policy_rule{{"get"}, {""}, {"secrets"}, {}, {}}};
  // bob (view in team-a) may not write a role with more than view.
  auto refused = p.role_escalation(bob, secrets_reader, "");
  BOOST_TEST_REQUIRE(refused.has_value());
  BOOST_TEST(!refused->role_not_found);
  BOOST_TEST(refused->message ==
             "user \"bob\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC "
             "permissions not currently held:\n"
             R"({APIGroups:[""], Resources:["secrets"], Verbs:["get"]})");
  // A role within what bob holds is fine; alice (admin in team-b) holds secrets there only.
  role pod_reader = secrets_reader;
  pod_reader.rules = {policy_rule{{"get", "list"}, {""}, {"pods"}, {}, {}}};
  BOOST_TEST(!p.role_escalation(bob, pod_reader, "").has_value());
  BOOST_TEST(p.role_escalation(alice, secrets_reader, "").has_value());
  secrets_reader.metadata.namespace_ = "team-b";
  BOOST_TEST(!p.role_escalation(alice, secrets_reader, "").has_value());
  BOOST_TEST(!p.role_escalation(admin, secrets_reader, "").has_value());
  // Bindings: alice may bind edit in team-b (she holds it all through admin), not cluster-admin.
  BOOST_TEST(!p.binding_escalation(alice, binding("team-b", "e", "ClusterRole", "edit",
                                                  {user("carol")}))
                  .has_value());
  auto too_much = p.binding_escalation(alice, binding("team-b", "ca", "ClusterRole",
                                                      "cluster-admin", {user("carol")}));
  BOOST_TEST_REQUIRE(too_much.has_value());
  BOOST_TEST(too_much->message.find(R"({APIGroups:["*"], Resources:["*"], Verbs:["*"]})") !=
             std::string::npos);
  auto missing = p.binding_escalation(alice, binding("team-b", "x", "Role", "nosuch", {}));
  BOOST_TEST_REQUIRE(missing.has_value());
  BOOST_TEST(missing->role_not_found);
  BOOST_TEST(missing->message == R"(roles.rbac.authorization.k8s.io "nosuch" not found)");
}

BOOST_AUTO_TEST_CASE(bind_and_escalate_verbs_allow_granting_beyond_what_one_holds) {
  auto p = cluster();
  role binder;
  binder.metadata.namespace_ = "team-a";
  binder.metadata.name = "binder";
  binder.rules = {policy_rule{{"bind"}, {"rbac.authorization.k8s.io"}, {"clusterroles"}, {"edit"}, {}},
                  policy_rule{{"escalate"}, {"rbac.authorization.k8s.io"}, {"roles"}, {}, {}}};
  p.put_role(binder);
  p.put_binding(binding("team-a", "bob-binds", "Role", "binder", {user("bob")}));
  BOOST_TEST(!p.binding_escalation(bob, binding("team-a", "e", "ClusterRole", "edit", {user("c")}))
                  .has_value());
  BOOST_TEST(p.binding_escalation(bob, binding("team-a", "a", "ClusterRole", "admin", {user("c")}))
                 .has_value());
  role anything;
  anything.metadata.namespace_ = "team-a";
  anything.metadata.name = "anything";
  anything.rules = {policy_rule{{"*"}, {"*"}, {"*"}, {}, {}}};
  BOOST_TEST(!p.role_escalation(bob, anything, "").has_value());
  anything.metadata.namespace_ = "";  // a ClusterRole: escalate on roles in team-a is not enough
  BOOST_TEST(p.role_escalation(bob, anything, "").has_value());
  // escalate limited to one role's name covers updating that role, not creating one (whose URL
  // has no name), as in Kubernetes.
  binder.rules[1].resource_names = {"anything"};
  p.put_role(binder);
  anything.metadata.namespace_ = "team-a";
  BOOST_TEST(!p.role_escalation(bob, anything, "anything").has_value());
  BOOST_TEST(p.role_escalation(bob, anything, "").has_value());
}

BOOST_AUTO_TEST_CASE(refusals_are_worded_as_kubernetes_words_them) {
  BOOST_TEST(forbidden_message(ask(bob, "list", "team-a", "pods")) ==
             R"(User "bob" cannot list resource "pods" in API group "" in the namespace "team-a")");
  BOOST_TEST(forbidden_message(ask(bob, "create", "team-a", "pods", "web", "exec")) ==
             R"(User "bob" cannot create resource "pods/exec" in API group "" in the namespace "team-a")");
  BOOST_TEST(forbidden_message(ask(bob, "list", "", "clusterroles", "", "",
                                   "rbac.authorization.k8s.io")) ==
             R"(User "bob" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope)");
  BOOST_TEST(forbidden_message(ask_path(bob, "get", "/metrics")) ==
             R"(User "bob" cannot get path "/metrics")");
}
