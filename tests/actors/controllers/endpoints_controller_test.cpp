// Tests actors/controllers/endpoints_controller.cpp: which pods become which endpoints.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/endpoints_controller.hpp"
#include "store/apply.hpp"
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
BOOST_AUTO_TEST_CASE(a_write_the_journal_refused_is_tried_again) {
  store::cluster_state s;
  auto web = svc(messages::int_or_string::of(80));
  web.metadata.namespace_ = "default";
  web.spec.selector = {{"name", "frontend"}};
  auto r = created(web);
  r.seq = 1;
  store::apply(s, r);
  read_model model(std::move(s));
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  caf::actor observer = self;
  // A journal whose first append fails; it tells `self` the kind of each record appended.
  auto journal = system.spawn([observer](caf::event_based_actor* j) -> caf::behavior {
    auto failed = std::make_shared<bool>(false);
    return {[=](append_atom, std::vector<messages::journal_record>& records) {
      j->send(observer, static_cast<int>(records.at(0).kind));
      store::append_result result;
      if (!*failed) {
        *failed = true;
        result.error = "No space left on device";
      } else {
        result.first_seq = result.last_seq = 2;
      }
      return result;
    }};
  });
  auto controller = spawn_endpoints_controller(system, model, journal);
  for (int attempt = 1; attempt <= 2; ++attempt)
    self->receive(
        [&](int kind) { BOOST_TEST(kind == static_cast<int>(object_kind::endpoints)); },
        caf::after(std::chrono::seconds(10)) >> [&] { BOOST_FAIL("no append " << attempt); });
  self->send_exit(controller, caf::exit_reason::user_shutdown);
  self->send_exit(journal, caf::exit_reason::user_shutdown);
}
