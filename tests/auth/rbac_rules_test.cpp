// Tests auth/rbac_rules.cpp: rule matching, subjects and coverage, as tables (the cases of
// Kubernetes' evaluation_helpers and rule coverage tests, for what capstan serves).
#include <boost/test/unit_test.hpp>

#include <chrono>

#include <algorithm>

#include "auth/rbac_rules.hpp"

using namespace capstan;
using namespace capstan::auth;
using messages::policy_rule;

namespace {

request_attributes resource_request(std::string verb, std::string group, std::string resource,
                                    std::string subresource = "", std::string name = "") {
  request_attributes r;
  r.user.name = "bob";
  r.verb = std::move(verb);
  r.namespace_ = "team-a";
  r.api_group = std::move(group);
  r.resource = std::move(resource);
  r.subresource = std::move(subresource);
  r.name = std::move(name);
  return r;
}

request_attributes path_request(std::string verb, std::string path) {
  request_attributes r;
  r.user.name = "bob";
  r.verb = std::move(verb);
  r.resource_request = false;
  r.path = std::move(path);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_rule_allows_its_verbs_on_its_resources_of_its_groups) {
  const policy_rule read_pods{{"get", "list"}, {""}, {"pods"}, {}, {}};
  struct row {
    request_attributes request;
    bool allowed;
  };
  const row rows[] = {
      {resource_request("get", "", "pods"), true},
      {resource_request("list", "", "pods"), true},
      {resource_request("watch", "", "pods"), false},            // verb not listed
      {resource_request("get", "apps", "pods"), false},          // another group
      {resource_request("get", "", "services"), false},          // another resource
      {resource_request("get", "", "pods", "log"), false},       // a subresource is its own
      {resource_request("get", "", "pods", "", "web-1"), true},  // no names listed: any name
      {path_request("get", "/version"), false},                  // not a resource rule
  };
  for (const auto& r : rows)
    BOOST_TEST(rule_allows(read_pods, r.request) == r.allowed,
               r.request.verb << " " << r.request.resource << "/" << r.request.subresource);
}

BOOST_AUTO_TEST_CASE(stars_and_subresources_match_as_kubernetes_defines) {
  const policy_rule all{{"*"}, {"*"}, {"*"}, {}, {}};
  BOOST_TEST(rule_allows(all, resource_request("deletecollection", "rbac.authorization.k8s.io",
                                               "roles")));
  BOOST_TEST(rule_allows(all, resource_request("get", "", "pods", "exec")));
  const policy_rule logs{{"get"}, {""}, {"pods/log"}, {}, {}};
  BOOST_TEST(rule_allows(logs, resource_request("get", "", "pods", "log")));
  BOOST_TEST(!rule_allows(logs, resource_request("get", "", "pods")));
  const policy_rule any_status{{"get"}, {""}, {"*/status"}, {}, {}};
  BOOST_TEST(rule_allows(any_status, resource_request("get", "", "pods", "status")));
  BOOST_TEST(rule_allows(any_status, resource_request("get", "", "services", "status")));
  BOOST_TEST(!rule_allows(any_status, resource_request("get", "", "pods", "log")));
  BOOST_TEST(!rule_allows(any_status, resource_request("get", "", "pods")));
  // "*/sta" is not a prefix match of "status".
  const policy_rule partial{{"get"}, {""}, {"*/sta"}, {}, {}};
  BOOST_TEST(!rule_allows(partial, resource_request("get", "", "pods", "status")));
}

BOOST_AUTO_TEST_CASE(resource_names_limit_a_rule_to_those_objects) {
  const policy_rule one{{"get", "update"}, {""}, {"configmaps"}, {"settings"}, {}};
  BOOST_TEST(rule_allows(one, resource_request("get", "", "configmaps", "", "settings")));
  BOOST_TEST(!rule_allows(one, resource_request("get", "", "configmaps", "", "other")));
  // A list names no object: a rule with names never allows it.
  BOOST_TEST(!rule_allows(one, resource_request("list", "", "configmaps")));
}

BOOST_AUTO_TEST_CASE(non_resource_urls_match_exactly_or_by_a_trailing_star) {
  const policy_rule discovery{{"get"}, {}, {}, {}, {"/api", "/api/*", "/version"}};
  BOOST_TEST(rule_allows(discovery, path_request("get", "/api")));
  BOOST_TEST(rule_allows(discovery, path_request("get", "/api/v1")));
  BOOST_TEST(rule_allows(discovery, path_request("get", "/version")));
  BOOST_TEST(!rule_allows(discovery, path_request("get", "/version/x")));
  BOOST_TEST(!rule_allows(discovery, path_request("get", "/apis")));
  BOOST_TEST(!rule_allows(discovery, path_request("post", "/api")));
  BOOST_TEST(!rule_allows(discovery, resource_request("get", "", "pods")));
  const policy_rule everything{{"*"}, {}, {}, {}, {"*"}};
  BOOST_TEST(rule_allows(everything, path_request("delete", "/metrics")));
}

BOOST_AUTO_TEST_CASE(subjects_are_users_groups_or_service_accounts) {
  user_identity bob{"bob", "1", {"team-a", "system:authenticated"}};
  user_identity robot{"system:serviceaccount:team-a:builder", "2", {"system:serviceaccounts"}};
  BOOST_TEST(subject_matches({"User", "rbac.authorization.k8s.io", "bob", ""}, bob, "team-a"));
  BOOST_TEST(!subject_matches({"User", "rbac.authorization.k8s.io", "alice", ""}, bob, "team-a"));
  BOOST_TEST(subject_matches({"Group", "rbac.authorization.k8s.io", "team-a", ""}, bob, ""));
  BOOST_TEST(!subject_matches({"Group", "rbac.authorization.k8s.io", "team-b", ""}, bob, ""));
  // A service account's namespace defaults to the binding's; a cluster binding must name it.
  BOOST_TEST(subject_matches({"ServiceAccount", "", "builder", ""}, robot, "team-a"));
  BOOST_TEST(!subject_matches({"ServiceAccount", "", "builder", ""}, robot, "team-b"));
  BOOST_TEST(!subject_matches({"ServiceAccount", "", "builder", ""}, robot, ""));
  BOOST_TEST(subject_matches({"ServiceAccount", "", "builder", "team-a"}, robot, ""));
  BOOST_TEST(!subject_matches({"Robot", "", "builder", "team-a"}, robot, ""));
}

BOOST_AUTO_TEST_CASE(coverage_finds_exactly_what_the_owner_does_not_hold) {
  const std::vector<policy_rule> owned = {
      {{"get", "list"}, {""}, {"pods", "services"}, {}, {}},
      {{"update"}, {""}, {"configmaps"}, {"settings"}, {}},
      {{"get"}, {""}, {"*/status"}, {}, {}},
      {{"get"}, {}, {}, {}, {"/api/*"}},
  };
  BOOST_TEST(uncovered_rules(owned, {{{"get"}, {""}, {"pods"}, {}, {}}}).empty());
  BOOST_TEST(uncovered_rules(owned, {{{"get"}, {""}, {"pods/status"}, {}, {}}}).empty());
  BOOST_TEST(uncovered_rules(owned, {{{"update"}, {""}, {"configmaps"}, {"settings"}, {}}}).empty());
  BOOST_TEST(uncovered_rules(owned, {{{"get"}, {}, {}, {}, {"/api/v1"}}}).empty());
  // Not held: the named rule does not cover all configmaps; delete; another group.
  auto missing = uncovered_rules(owned, {{{"update"}, {""}, {"configmaps"}, {}, {}},
                                         {{"get", "delete", "list"}, {"", "apps"}, {"pods"}, {}, {}}});
  BOOST_TEST_REQUIRE(missing.size() == 3u);
  std::vector<std::string> described;
  for (const auto& r : missing)
    described.push_back(describe_rule(r));
  std::sort(described.begin(), described.end());
  BOOST_TEST(described[0] == R"({APIGroups:[""], Resources:["configmaps"], Verbs:["update"]})");
  BOOST_TEST(described[1] == R"({APIGroups:[""], Resources:["pods"], Verbs:["delete"]})");
  BOOST_TEST(described[2] == R"({APIGroups:["apps"], Resources:["pods"], Verbs:["get" "delete" "list"]})");
  // Everything is covered by the star rule.
  const std::vector<policy_rule> admin = {{{"*"}, {"*"}, {"*"}, {}, {}}, {{"*"}, {}, {}, {}, {"*"}}};
  BOOST_TEST(uncovered_rules(admin, missing).empty());
  BOOST_TEST(uncovered_rules(admin, {{{"get"}, {}, {}, {}, {"/metrics"}}}).empty());
}

BOOST_AUTO_TEST_CASE(a_rule_is_described_as_kubernetes_prints_it) {
  BOOST_TEST(describe_rule({{"get"}, {}, {}, {}, {"/healthz"}}) ==
             R"({NonResourceURLs:["/healthz"], Verbs:["get"]})");
  BOOST_TEST(describe_rule({{"get"}, {""}, {"secrets"}, {"a\"b"}, {}}) ==
             R"({APIGroups:[""], Resources:["secrets"], ResourceNames:["a\"b"], Verbs:["get"]})");
}

BOOST_AUTO_TEST_CASE(coverage_of_a_huge_rule_is_bounded_in_time_and_in_what_it_reports) {
  // 100 groups x 100 resources x 100 verbs x 100 names: 10^8 combinations. Kubernetes would
  // expand them all; here the check stops early, refusing.
  policy_rule huge;
  for (int i = 0; i < 100; ++i) {
    huge.api_groups.push_back("g" + std::to_string(i));
    huge.resources.push_back("r" + std::to_string(i));
    huge.verbs.push_back("v" + std::to_string(i));
    huge.resource_names.push_back("n" + std::to_string(i));
  }
  const auto started = std::chrono::steady_clock::now();
  auto missing = uncovered_rules({{{"get"}, {""}, {"pods"}, {}, {}}}, {huge});
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(missing.size() <= 65u);
  BOOST_TEST(!missing.empty());
  BOOST_TEST((took < std::chrono::seconds(2)));
  // Everything owned: the budget runs out and the rest counts as not covered, said so.
  policy_rule all{{"*"}, {"*"}, {"*"}, {}, {}};
  auto over = uncovered_rules({all}, {huge});
  BOOST_TEST_REQUIRE(over.size() == 1u);
  BOOST_TEST(over[0].verbs[0].find("more than 200000") != std::string::npos);
  // Within the budget, a fully covered rule is covered.
  policy_rule modest = huge;
  modest.resource_names.resize(10);
  modest.verbs.resize(10);
  modest.resources.resize(10);
  BOOST_TEST(uncovered_rules({all}, {modest}).empty());
}
