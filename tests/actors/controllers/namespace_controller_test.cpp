// Tests actors/controllers/namespace_controller.cpp: which objects a missing namespace orphans.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/namespace_controller.hpp"
#include "store/apply.hpp"
#include "tests/actors/controllers/registry_doubles.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

namespace_object ns(const std::string& name) {
  namespace_object n;
  n.metadata.name = name;
  n.metadata.uid = "uid-ns-" + name;
  return n;
}

replication_controller rc(const std::string& name, const std::string& namespace_) {
  replication_controller r;
  r.metadata.name = name;
  r.metadata.namespace_ = namespace_;
  r.metadata.uid = "uid-rc-" + name;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(objects_of_a_missing_namespace_are_orphans_rcs_first) {
  auto s = state_with({ns("default"), small_pod("kept", "default"), small_pod("a", "gone"),
                       rc("web", "gone"), small_pod("b", "gone"), small_pod("c", "zzz")});
  auto orphans = orphaned_by_namespace(s);
  BOOST_REQUIRE(orphans.size() == 4u);
  BOOST_TEST((orphans[0].first == object_kind::replication_controller));
  BOOST_TEST(orphans[0].second.name == "web");
  std::set<std::string> pods;
  for (std::size_t i = 1; i < orphans.size(); ++i) {
    BOOST_TEST((orphans[i].first == object_kind::pod));
    pods.insert(orphans[i].second.namespace_ + "/" + orphans[i].second.name);
  }
  BOOST_TEST((pods == std::set<std::string>{"gone/a", "gone/b", "zzz/c"}));
}

BOOST_AUTO_TEST_CASE(grants_of_a_missing_namespace_go_first) {
  messages::role_binding binding;
  binding.metadata.name = "bob-view";
  binding.metadata.namespace_ = "gone";
  messages::role role;
  role.metadata.name = "reader";
  role.metadata.namespace_ = "gone";
  auto s = state_with({ns("default"), rc("web", "gone"), role, binding});
  auto orphans = orphaned_by_namespace(s);
  BOOST_REQUIRE(orphans.size() == 3u);
  BOOST_TEST((orphans[0].first == object_kind::role_binding));
  BOOST_TEST((orphans[1].first == object_kind::role));
  BOOST_TEST((orphans[2].first == object_kind::replication_controller));
}

BOOST_AUTO_TEST_CASE(one_namespace_can_be_asked_for_and_existing_ones_have_no_orphans) {
  auto s = state_with(
      {ns("default"), small_pod("kept", "default"), small_pod("a", "gone"), small_pod("c", "zzz")});
  auto orphans = orphaned_by_namespace(s, "gone");
  BOOST_REQUIRE(orphans.size() == 1u);
  BOOST_TEST(orphans[0].second.name == "a");
  BOOST_TEST(orphaned_by_namespace(s, "default").empty());
}

// Regression (found by the simulation, seed 197): a delete the journal refused (a write error)
// was dropped, and the objects of a deleted namespace stayed until the next restart. Now it is
// logged and retried after its back-off, with no other event, at the time the back-off ends.
BOOST_AUTO_TEST_CASE(a_delete_that_failed_is_retried_after_its_backoff) {
  deterministic_system sys;
  read_model model(state_with({small_pod("a", "gone")}));
  auto script = std::make_shared<registry_script>();
  auto pods = sys.keep(spawn_scripted_registry(*sys.system, script));
  std::vector<actors::registry_actor> registries(messages::object_kind_count, pods);
  std::vector<std::string> log;
  work_queue_metrics metrics{"namespace-controller"};
  controller_options options;
  options.log = [&](const std::string& line) { log.push_back(line); };
  options.metrics = &metrics;
  sys.keep(spawn_namespace_controller(*sys.system, model, registries, options));
  sys.run();
  BOOST_TEST((script->targets == std::vector<std::string>{"a"}));
  BOOST_REQUIRE(log.size() == 1u);
  BOOST_TEST(log[0].find("namespace-controller: gone: deleting pods \"a\"") != std::string::npos,
             log[0]);
  BOOST_TEST(log[0].find("No space left on device") != std::string::npos, log[0]);
  sys.advance(std::chrono::milliseconds(4));  // the first back-off is 5 ms
  BOOST_TEST(script->targets.size() == 1u);
  sys.advance(std::chrono::milliseconds(1));
  BOOST_TEST((script->targets == std::vector<std::string>{"a", "a"}));
  BOOST_TEST(metrics.retries.load() == 1u);
  BOOST_TEST(metrics.syncs.load() == 2u);
  BOOST_TEST(log.size() == 1u);
}
