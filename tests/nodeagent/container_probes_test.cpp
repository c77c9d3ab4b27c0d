// Tests nodeagent/container_probes.cpp: when startup, liveness and readiness probes run and what
// their results mean, as Kubernetes defines them, on explicit times.
#include <boost/test/unit_test.hpp>

#include "nodeagent/container_probes.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
using namespace std::chrono_literals;

namespace {

const std::chrono::steady_clock::time_point t0{std::chrono::hours(1)};

messages::probe tcp_probe(int32_t delay, int32_t period, int32_t successes, int32_t failures) {
  messages::probe p;
  p.tcp_socket = messages::tcp_socket_action{messages::int_or_string::of(80), ""};
  p.initial_delay_seconds = delay;
  p.period_seconds = period;
  p.timeout_seconds = 1;
  p.success_threshold = successes;
  p.failure_threshold = failures;
  return p;
}

bool due(container_probes& p, probe_kind kind, std::chrono::steady_clock::time_point at) {
  auto kinds = take_due(p, at);
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_probes_means_ready_at_once) {
  messages::container c;
  auto p = probes_for(c, t0);
  BOOST_TEST(p.started());
  BOOST_TEST(p.ready());
  BOOST_TEST(take_due(p, t0 + 1h).empty());
}

BOOST_AUTO_TEST_CASE(readiness_waits_its_delay_then_runs_every_period_never_twice_at_once) {
  messages::container c;
  c.readiness_probe = tcp_probe(5, 10, 1, 3);
  auto p = probes_for(c, t0);
  BOOST_TEST(!p.ready());  // not ready until it passes
  BOOST_TEST(!due(p, probe_kind::readiness, t0 + 4s));
  BOOST_TEST(due(p, probe_kind::readiness, t0 + 5s));
  BOOST_TEST(!due(p, probe_kind::readiness, t0 + 30s));  // still in flight
  BOOST_TEST((record(p, probe_kind::readiness, true) == probe_verdict::ready));
  BOOST_TEST(p.ready());
  BOOST_TEST(!due(p, probe_kind::readiness, t0 + 14s));  // next period: 10 s after it ran
  BOOST_TEST(due(p, probe_kind::readiness, t0 + 31s));
}

BOOST_AUTO_TEST_CASE(readiness_needs_its_thresholds_in_a_row) {
  messages::container c;
  c.readiness_probe = tcp_probe(0, 1, 2, 3);
  auto p = probes_for(c, t0);
  auto result = [&](bool ok) {
    static int n = 0;
    BOOST_REQUIRE(due(p, probe_kind::readiness, t0 + std::chrono::seconds(++n * 2)));
    return record(p, probe_kind::readiness, ok);
  };
  BOOST_TEST((result(true) == probe_verdict::none));
  BOOST_TEST((result(false) == probe_verdict::none));  // the row is broken
  BOOST_TEST((result(true) == probe_verdict::none));
  BOOST_TEST((result(true) == probe_verdict::ready));  // two in a row
  BOOST_TEST((result(false) == probe_verdict::none));
  BOOST_TEST((result(false) == probe_verdict::none));
  BOOST_TEST(p.ready());
  BOOST_TEST((result(false) == probe_verdict::unready));  // three in a row
  BOOST_TEST(!p.ready());
}

BOOST_AUTO_TEST_CASE(liveness_kills_after_its_failure_threshold) {
  messages::container c;
  c.liveness_probe = tcp_probe(0, 1, 1, 2);
  auto p = probes_for(c, t0);
  BOOST_TEST(p.ready());  // liveness alone does not gate readiness
  BOOST_REQUIRE(due(p, probe_kind::liveness, t0));
  BOOST_TEST((record(p, probe_kind::liveness, false) == probe_verdict::none));
  BOOST_REQUIRE(due(p, probe_kind::liveness, t0 + 1s));
  BOOST_TEST((record(p, probe_kind::liveness, true) == probe_verdict::none));  // row broken
  BOOST_REQUIRE(due(p, probe_kind::liveness, t0 + 2s));
  BOOST_TEST((record(p, probe_kind::liveness, false) == probe_verdict::none));
  BOOST_REQUIRE(due(p, probe_kind::liveness, t0 + 3s));
  BOOST_TEST((record(p, probe_kind::liveness, false) == probe_verdict::kill));
}

BOOST_AUTO_TEST_CASE(startup_gates_the_other_probes_and_kills_when_it_never_passes) {
  messages::container c;
  c.startup_probe = tcp_probe(0, 1, 1, 2);
  c.liveness_probe = tcp_probe(0, 1, 1, 1);
  c.readiness_probe = tcp_probe(0, 1, 1, 1);
  auto p = probes_for(c, t0);
  auto first = take_due(p, t0);
  BOOST_TEST(first.size() == 1u);  // only the startup probe
  BOOST_TEST((first.at(0) == probe_kind::startup));
  BOOST_TEST(!p.ready());
  BOOST_TEST((record(p, probe_kind::startup, true) == probe_verdict::started));
  BOOST_TEST(p.started());
  BOOST_TEST(!p.ready());  // readiness has not passed yet
  auto next = take_due(p, t0 + 1s);
  BOOST_TEST(next.size() == 2u);  // liveness and readiness now
  // A container whose startup probe keeps failing is killed.
  auto q = probes_for(c, t0);
  BOOST_REQUIRE(due(q, probe_kind::startup, t0));
  BOOST_TEST((record(q, probe_kind::startup, false) == probe_verdict::none));
  BOOST_REQUIRE(due(q, probe_kind::startup, t0 + 1s));
  BOOST_TEST((record(q, probe_kind::startup, false) == probe_verdict::kill));
}
