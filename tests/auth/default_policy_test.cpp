// Tests auth/default_policy.cpp: the bootstrap roles nest as Kubernetes' do (view within edit
// within admin within cluster-admin), carry Kubernetes' labels, and are bound as there.
#include <boost/test/unit_test.hpp>

#include <map>

#include "auth/default_policy.hpp"
#include "auth/rbac_rules.hpp"

using namespace capstan;
using namespace capstan::auth;

namespace {

std::map<std::string, messages::role> by_name() {
  std::map<std::string, messages::role> roles;
  for (auto& r : default_cluster_roles())
    roles[r.metadata.name] = r;
  return roles;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_aggregate_role_holds_the_one_below_and_not_the_reverse) {
  auto roles = by_name();
  for (const char* name : {"cluster-admin", "admin", "edit", "view", "system:basic-user",
                           "system:discovery", "system:public-info-viewer"})
    BOOST_TEST(roles.count(name) == 1u, name);
  auto covers = [&](const std::string& owner, const std::string& servant) {
    return uncovered_rules(roles[owner].rules, roles[servant].rules).empty();
  };
  BOOST_TEST(covers("edit", "view"));
  BOOST_TEST(covers("admin", "edit"));
  BOOST_TEST(covers("cluster-admin", "admin"));
  BOOST_TEST(covers("system:discovery", "system:public-info-viewer"));
  BOOST_TEST(!covers("view", "edit"));
  BOOST_TEST(!covers("edit", "admin"));
  BOOST_TEST(!covers("admin", "cluster-admin"));
}

BOOST_AUTO_TEST_CASE(view_does_not_read_secrets_and_edit_does) {
  auto roles = by_name();
  request_attributes read_secret;
  read_secret.verb = "get";
  read_secret.resource = "secrets";
  read_secret.namespace_ = "team-a";
  auto allows = [&](const std::string& role_name) {
    for (const auto& rule : roles[role_name].rules)
      if (rule_allows(rule, read_secret))
        return true;
    return false;
  };
  BOOST_TEST(!allows("view"));
  BOOST_TEST(allows("edit"));
}

BOOST_AUTO_TEST_CASE(defaults_are_labelled_and_bound_as_in_kubernetes) {
  for (const auto& r : default_cluster_roles()) {
    BOOST_TEST(r.metadata.namespace_.empty());
    BOOST_TEST(r.metadata.labels.at("kubernetes.io/bootstrapping") == "rbac-defaults");
    BOOST_TEST(r.metadata.annotations.at("rbac.authorization.kubernetes.io/autoupdate") == "true");
  }
  std::map<std::string, messages::role_binding> bindings;
  for (auto& b : default_cluster_role_bindings())
    bindings[b.metadata.name] = b;
  BOOST_TEST_REQUIRE(bindings.count("cluster-admin") == 1u);
  BOOST_TEST(bindings["cluster-admin"].subjects.size() == 1u);
  BOOST_TEST(bindings["cluster-admin"].subjects[0].name == "system:masters");
  BOOST_TEST(bindings["system:discovery"].subjects[0].name == "system:authenticated");
  BOOST_TEST(bindings["system:public-info-viewer"].subjects.size() == 2u);
}
