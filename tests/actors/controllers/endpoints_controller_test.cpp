// Tests actors/controllers/endpoints_controller.cpp: which pods become which endpoints.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/endpoints_controller.hpp"
#include "store/apply.hpp"
#include "tests/actors/controllers/registry_doubles.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::pod running(const std::string& name, const std::string& ip, bool ready, int32_t port = 80,
                      const std::string& port_name = "") {
  auto p = small_pod(name);
  p.spec.containers[0].ports = {{port_name, 0, port, "TCP", ""}};
  p.spec.node_name = "n1";
  p.status.phase = "Running";
  p.status.pod_ip = ip;
  p.status.conditions.push_back({"Ready", ready ? "True" : "False", {}, {}, "", ""});
  return p;
}

messages::service svc(messages::int_or_string target) {
  messages::service s;
  s.metadata.name = "web";
  s.spec.ports.push_back({"", "TCP", 8000, target, 0});
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ready_pods_are_addresses_others_not_ready_and_unaddressed_ones_absent) {
  auto subsets = desired_subsets(svc(messages::int_or_string::of(80)),
                                 {running("b", "10.1.0.3", true), running("a", "10.1.0.2", true),
                                  running("c", "10.1.0.4", false), running("d", "", true)});
  BOOST_REQUIRE(subsets.size() == 1u);
  BOOST_REQUIRE(subsets[0].addresses.size() == 2u);
  BOOST_TEST(subsets[0].addresses[0].ip == "10.1.0.2");  // sorted
  BOOST_TEST(subsets[0].addresses[0].target_ref->name == "a");
  BOOST_TEST(subsets[0].not_ready_addresses.size() == 1u);
  BOOST_TEST(subsets[0].ports.at(0).port == 80);
}

BOOST_AUTO_TEST_CASE(named_target_ports_resolve_per_pod) {
  auto subsets = desired_subsets(
      svc(messages::int_or_string::of("http")),
      {running("a", "10.1.0.2", true, 8080, "http"), running("b", "10.1.0.3", true, 9090, "http"),
       running("c", "10.1.0.4", true, 80, "")});
  BOOST_REQUIRE(subsets.size() == 2u);  // two port numbers, two subsets; c has no "http"
  std::set<int32_t> ports;
  for (const auto& s : subsets) {
    BOOST_TEST(s.addresses.size() == 1u);
    ports.insert(s.ports.at(0).port);
  }
  BOOST_TEST((ports == std::set<int32_t>{8080, 9090}));
}

// Regression (found by the simulation, seed 16): an Endpoints write the journal refused (a
// write error) was dropped, and the service had no Endpoints until something else changed.
// Now it goes through the endpoints registry, and a refused write is retried after its back-off.
BOOST_AUTO_TEST_CASE(a_write_that_failed_is_retried_after_its_backoff) {
  store::cluster_state s;
  auto web = svc(messages::int_or_string::of(80));
  web.metadata.namespace_ = "default";
  web.spec.selector = {{"name", "frontend"}};
  auto r = created(web);
  r.seq = 1;
  store::apply(s, r);
  read_model model(std::move(s));
  deterministic_system sys;
  auto script = std::make_shared<registry_script>();
  auto registry = sys.keep(spawn_scripted_registry(*sys.system, script));
  std::vector<std::string> log;
  controller_options options;
  options.log = [&](const std::string& line) { log.push_back(line); };
  sys.keep(spawn_endpoints_controller(*sys.system, model, registry, options));
  sys.run();
  BOOST_TEST((script->targets == std::vector<std::string>{"web"}));  // a create: none exists
  BOOST_REQUIRE(log.size() == 1u);
  BOOST_TEST(log[0].find("endpoints-controller: default/web: No space left") != std::string::npos,
             log[0]);
  sys.advance(std::chrono::milliseconds(5));
  BOOST_TEST((script->targets == std::vector<std::string>{"web", "web"}));
}

// Endpoints that already say what the service wants are not written again (a restart adds no
// history); Endpoints whose service is gone are deleted; subsets that differ are changed.
BOOST_AUTO_TEST_CASE(only_a_difference_is_written) {
  store::cluster_state s;
  auto web = svc(messages::int_or_string::of(80));
  web.metadata.namespace_ = "default";
  web.spec.selector = {{"name", "frontend"}};
  messages::endpoints current;
  current.metadata.name = "web";
  current.metadata.namespace_ = "default";
  messages::endpoints orphan = current;
  orphan.metadata.name = "gone";
  uint64_t seq = 0;
  for (const any_object& o : std::vector<any_object>{web, current, orphan}) {
    auto rec = created(o);
    rec.seq = ++seq;
    store::apply(s, rec);
  }
  read_model model(std::move(s));
  deterministic_system sys;
  auto commands = std::make_shared<std::vector<object_command>>();
  registry_answers answers;
  answers.command = [commands](const object_command& c) {
    commands->push_back(c);
    return command_reply{};
  };
  answers.create = [](const create_command&) {
    BOOST_FAIL("both Endpoints exist: nothing to create");
    return command_reply{};
  };
  auto registry = sys.keep(spawn_registry_double(*sys.system, answers));
  controller_options options;
  sys.keep(spawn_endpoints_controller(*sys.system, model, registry, options));
  sys.run();
  // "web" has no pods and empty subsets already: nothing to write. "gone" is deleted.
  BOOST_REQUIRE(commands->size() == 1u);
  BOOST_TEST(commands->at(0).target.name == "gone");
  BOOST_TEST(std::holds_alternative<delete_op>(commands->at(0).op));
}
