// Tests nodeagent/container_hooks.cpp: what postStart and preStop hooks make the runtime do, on
// explicit times.
#include <boost/test/unit_test.hpp>

#include <cstdint>

#include "nodeagent/container_hooks.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
using namespace std::chrono_literals;

namespace {

const std::chrono::steady_clock::time_point t0{std::chrono::hours(1)};

messages::container with_pre_stop(messages::lifecycle_handler h) {
  messages::container c;
  c.name = "app";
  c.lifecycle = messages::container_lifecycle{};
  c.lifecycle->pre_stop = std::move(h);
  return c;
}

messages::lifecycle_handler exec_handler() {
  messages::lifecycle_handler h;
  h.exec = messages::exec_action{{"sh", "-c", "nginx -s quit"}};
  return h;
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_hooks_means_nothing_to_wait_for) {
  messages::container c;
  BOOST_TEST((plan_post_start(c, t0).what == hook_plan::step::none));
  BOOST_TEST((plan_pre_stop(c, t0, t0 + 30s).what == hook_plan::step::none));
  c.lifecycle = messages::container_lifecycle{};  // present but empty
  BOOST_TEST((plan_pre_stop(c, t0, t0 + 30s).what == hook_plan::step::none));
}

BOOST_AUTO_TEST_CASE(pre_stop_exec_runs_bounded_by_the_grace_left_when_it_starts) {
  auto c = with_pre_stop(exec_handler());
  auto plan = plan_pre_stop(c, t0, t0 + 30s);
  BOOST_TEST((plan.what == hook_plan::step::run));
  BOOST_REQUIRE(plan.action.exec.has_value());
  BOOST_TEST(plan.action.exec->command.size() == 3u);
  BOOST_REQUIRE(plan.deadline.has_value());
  BOOST_TEST((*plan.deadline == t0 + 30s));
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0) == 30);
  // Started late (its workers were busy): only what is left.
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 20s) == 10);
  // A part of a second left still gives the hook a whole second (run_probe's unit).
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 29700ms) == 1);
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 27500ms) == 3);
  // Nothing left: not run.
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 30s) == 0);
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 1h) == 0);
}

BOOST_AUTO_TEST_CASE(pre_stop_has_no_time_once_the_grace_period_is_over) {
  auto c = with_pre_stop(exec_handler());
  BOOST_TEST((plan_pre_stop(c, t0, t0).what == hook_plan::step::none));  // --grace-period=0
  BOOST_TEST((plan_pre_stop(c, t0 + 1s, t0).what == hook_plan::step::none));
}

BOOST_AUTO_TEST_CASE(pre_stop_http_and_tcp_run_as_their_probe_actions) {
  messages::lifecycle_handler h;
  h.http_get = messages::http_get_action{"/drain", messages::int_or_string::of(8080), "", "HTTP"};
  auto plan = plan_pre_stop(with_pre_stop(h), t0, t0 + 10s);
  BOOST_TEST((plan.what == hook_plan::step::run));
  BOOST_REQUIRE(plan.action.http_get.has_value());
  BOOST_TEST(plan.action.http_get->path == "/drain");
  BOOST_TEST(!plan.action.exec.has_value());
  messages::lifecycle_handler t;
  t.tcp_socket = messages::tcp_socket_action{messages::int_or_string::of(80), ""};
  BOOST_TEST(plan_pre_stop(with_pre_stop(t), t0, t0 + 10s).action.tcp_socket.has_value());
}

BOOST_AUTO_TEST_CASE(pre_stop_sleep_waits_its_seconds_but_never_past_the_kill) {
  messages::lifecycle_handler h;
  h.sleep = messages::sleep_action{5};
  auto plan = plan_pre_stop(with_pre_stop(h), t0, t0 + 30s);
  BOOST_TEST((plan.what == hook_plan::step::sleep));
  BOOST_TEST((plan.until == t0 + 5s));
  BOOST_TEST((plan_pre_stop(with_pre_stop(h), t0, t0 + 2s).until == t0 + 2s));
  // A sleep far beyond any clock's range is cut, not overflowed.
  h.sleep->seconds = INT64_MAX;
  BOOST_TEST((plan_pre_stop(with_pre_stop(h), t0, t0 + 30s).until == t0 + 30s));
}

BOOST_AUTO_TEST_CASE(post_start_is_bounded_by_its_own_timeout_from_when_it_runs) {
  messages::container c;
  c.lifecycle = messages::container_lifecycle{};
  c.lifecycle->post_start = exec_handler();
  auto plan = plan_post_start(c, t0);
  BOOST_TEST((plan.what == hook_plan::step::run));
  BOOST_TEST(!plan.deadline.has_value());
  BOOST_TEST(hook_timeout_seconds(plan.deadline, t0 + 1h) == post_start_timeout.count());
  // The preStop of the same container is not its postStart.
  BOOST_TEST((plan_pre_stop(c, t0, t0 + 30s).what == hook_plan::step::none));
  c.lifecycle->post_start = messages::lifecycle_handler{};
  c.lifecycle->post_start->sleep = messages::sleep_action{60};
  auto sleep = plan_post_start(c, t0);
  BOOST_TEST((sleep.what == hook_plan::step::sleep));
  BOOST_TEST((sleep.until == t0 + 60s));  // its whole time, not post_start_timeout
}
