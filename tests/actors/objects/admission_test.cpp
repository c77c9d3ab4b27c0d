// Tests actors/objects/admission.cpp: namespaces (to exist; not to be created again over what a
// deleted one left), LimitRange defaults and bounds, quotas.
#include <boost/test/unit_test.hpp>

#include "actors/objects/admission.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

struct fixture {
  store::cluster_state state;
  void add(const messages::any_object& o) {
    auto r = created(o);
    r.seq = state.seq + 1;
    store::apply(state, r);
  }
  fixture() {
    messages::namespace_object ns;
    ns.metadata.name = "default";
    add(ns);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_namespace_must_exist) {
  fixture f;
  auto r = admit_create(small_pod("a", "nope"), f.state, {});
  BOOST_REQUIRE(std::holds_alternative<command_reply>(r));
  BOOST_TEST(std::get<command_reply>(r).error->message == "namespaces \"nope\" not found");
}

// A namespace deleted and created again must not inherit what the old one held (its grants
// above all) while the namespace controller is still deleting it.
BOOST_AUTO_TEST_CASE(a_namespace_is_not_created_again_while_its_old_content_remains) {
  fixture f;
  messages::role_binding binding;
  binding.metadata.name = "bob-view";
  binding.metadata.namespace_ = "team-a";
  binding.role_ref_ = {"rbac.authorization.k8s.io", "ClusterRole", "view"};
  binding.subjects.push_back({"User", "rbac.authorization.k8s.io", "bob", ""});
  f.add(binding);  // left of a deleted team-a
  messages::namespace_object team_a;
  team_a.metadata.name = "team-a";
  auto r = admit_create(team_a, f.state, {});
  BOOST_REQUIRE(std::holds_alternative<command_reply>(r));
  BOOST_TEST((std::get<command_reply>(r).error->code == error_code::already_exists));
  BOOST_TEST(std::get<command_reply>(r).error->message ==
             "object is being deleted: namespaces \"team-a\" already exists");
  // Another name, or a name that is only a prefix of the leftover's namespace, is admitted.
  messages::namespace_object team;
  team.metadata.name = "team";
  BOOST_TEST(std::holds_alternative<messages::any_object>(admit_create(team, f.state, {})));
}

BOOST_AUTO_TEST_CASE(invalid_objects_are_refused_with_their_fields) {
  fixture f;
  auto p = small_pod("Bad_Name");
  auto r = admit_create(p, f.state, {});
  const auto& e = *std::get<command_reply>(r).error;
  BOOST_TEST(static_cast<int>(e.code) == static_cast<int>(error_code::invalid));
  BOOST_TEST(e.causes.at(0).field == "metadata.name");
}

BOOST_AUTO_TEST_CASE(limit_ranges_default_and_bound_container_resources) {
  fixture f;
  messages::limit_range lr;
  lr.metadata.name = "limits";
  lr.metadata.namespace_ = "default";
  messages::limit_range_item item;
  item.type = "Container";
  item.max["memory"] = *messages::quantity::parse("1Gi");
  item.default_["memory"] = *messages::quantity::parse("256Mi");
  lr.spec.limits.push_back(item);
  f.add(lr);
  auto p = small_pod("a");
  auto r = admit_create(p, f.state, {});
  BOOST_REQUIRE(std::holds_alternative<messages::any_object>(r));
  const auto& c = std::get<messages::pod>(std::get<messages::any_object>(r)).spec.containers[0];
  BOOST_TEST(c.resources.limits.at("memory").text() == "256Mi");
  BOOST_TEST(c.resources.requests.at("memory").text() == "256Mi");
  auto greedy = small_pod("b");
  greedy.spec.containers[0].resources.limits["memory"] = *messages::quantity::parse("2Gi");
  auto refused = admit_create(greedy, f.state, {});
  BOOST_TEST(std::get<command_reply>(refused).error->message.find(
                 "maximum memory usage per Container is 1Gi") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(quotas_count_committed_and_pending_usage) {
  fixture f;
  messages::resource_quota q;
  q.metadata.name = "compute";
  q.metadata.namespace_ = "default";
  q.spec.hard["cpu"] = *messages::quantity::parse("1");
  f.add(q);
  f.add(small_pod("running"));  // requests 100m
  quota_usage pending;
  pending.milli["cpu"] = 800;  // admitted, not yet committed
  auto p = small_pod("next");
  p.spec.containers[0].resources.requests["cpu"] = *messages::quantity::parse("200m");
  auto r = admit_create(p, f.state, pending);
  const auto& e = *std::get<command_reply>(r).error;
  BOOST_TEST(static_cast<int>(e.code) == static_cast<int>(error_code::forbidden));
  BOOST_TEST(e.message ==
             "pods \"next\" is forbidden: exceeded quota: compute, requested: cpu=200m, used: "
             "cpu=900m, limited: cpu=1");
  BOOST_TEST(std::holds_alternative<messages::any_object>(admit_create(p, f.state, {})));
}
