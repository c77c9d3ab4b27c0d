// Tests nodeagent/pod_run.cpp: what a pod run by runc reports. Restart policies and exit reasons
// (a pod with restartPolicy OnFailure that exits 0 must stay Succeeded, not loop), Kubernetes'
// restart back-off, and the phase, readiness and addresses kubectl shows. Times are explicit.
#include <boost/test/unit_test.hpp>

#include "nodeagent/pod_run.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
using namespace std::chrono_literals;

namespace {

const steady_time t0{std::chrono::hours(1)};

pod_run web_run() {
  auto p = test::small_pod("web");
  p.metadata.uid = "0123abcd-4567-89ef-0123-456789abcdef";
  p.spec.containers[0].name = "php";
  auto redis = p.spec.containers[0];
  redis.name = "redis";
  redis.image = "redis";
  p.spec.containers.push_back(redis);
  return new_pod_run(p, "/data/pods/" + p.metadata.uid);
}

messages::container_state running_since(int64_t seconds) {
  messages::container_state s;
  s.running = messages::container_state_running{messages::timestamp{seconds}};
  return s;
}

messages::container_state terminated_with(int exit_code) {
  messages::container_state s;
  s.terminated = messages::container_state_terminated{};
  s.terminated->exit_code = exit_code;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(names_come_from_the_uid_without_dashes) {
  BOOST_TEST(short_uid("0123abcd-4567-89ef-0123-456789abcdef") == "0123abcd4567");
  BOOST_TEST(short_uid("a-b") == "ab");
  auto run = web_run();
  BOOST_TEST(run.dir == "/data/pods/0123abcd-4567-89ef-0123-456789abcdef");
  BOOST_TEST(run.network.netns == "cp-0123abcd4567");
  BOOST_TEST(run.network.veth == "vp0123abcd4567");
  BOOST_TEST(run.network.ip == "");
  BOOST_TEST(!run.network_ready);
  BOOST_REQUIRE(run.containers.size() == 2u);
  BOOST_TEST(run.containers[0].id == "0123abcd4567-php");
  BOOST_TEST(run.containers[1].id == "0123abcd4567-redis");
  for (const auto& c : run.containers) {
    BOOST_REQUIRE(c.state.waiting.has_value());
    BOOST_TEST(c.state.waiting->reason == "ContainerCreating");
    BOOST_TEST(c.pid == 0);
    BOOST_TEST(c.restarts == 0);
  }
}

BOOST_AUTO_TEST_CASE(back_off_is_kubernetes_at_once_then_10_seconds_doubling_to_5_minutes) {
  container_run c;
  c.state = running_since(5);
  const std::chrono::seconds waits[] = {0s, 10s, 20s, 40s, 80s, 160s, 300s, 300s};
  for (auto wait : waits) {
    back_off(c, "CrashLoopBackOff", "m", t0, restart_backoff{});
    BOOST_TEST((c.next_start == t0 + wait));
  }
  BOOST_TEST(!c.state.running.has_value());
  BOOST_REQUIRE(c.state.waiting.has_value());
  BOOST_TEST(c.state.waiting->reason == "CrashLoopBackOff");
  BOOST_TEST(c.state.waiting->message == "m");
}

// A container that crashes again and again waits longer each time (the message says how
// long); one that ran for reset_after before it ended is restarted at once again.
BOOST_AUTO_TEST_CASE(crash_loops_back_off_and_a_long_run_starts_over) {
  const restart_backoff policy{2s, 8s, 16s};
  auto run = web_run();
  auto& c = run.containers[0];
  auto crash_at = [&](steady_time start, steady_time end) {
    c.state = running_since(1);
    c.running_since = start;
    container_exited(c, "Always", 1, 0, messages::timestamp{2}, end, policy);
    return c.next_start - end;
  };
  steady_time t = t0;
  BOOST_TEST((crash_at(t, t + 1s) == 0s));
  t += 1s;
  BOOST_TEST((crash_at(t, t + 1s) == 2s));
  BOOST_REQUIRE(c.state.waiting.has_value());
  BOOST_TEST(c.state.waiting->message == "back-off 2s restarting failed container=php");
  t += 3s;
  BOOST_TEST((crash_at(t, t + 1s) == 4s));
  t += 5s;
  BOOST_TEST((crash_at(t, t + 1s) == 8s));
  t += 9s;
  BOOST_TEST((crash_at(t, t + 1s) == 8s));  // the ceiling
  t += 9s;
  BOOST_TEST((crash_at(t, t + 16s) == 0s));  // ran for reset_after: at once again
  BOOST_TEST(c.restarts == 6);
}

BOOST_AUTO_TEST_CASE(termination_waits_the_grace_period_30_seconds_when_unset) {
  auto p = test::small_pod("web");
  p.spec.termination_grace_period_seconds.reset();
  BOOST_TEST((termination_deadline(p, t0) == t0 + 30s));
  p.spec.termination_grace_period_seconds = 5;
  BOOST_TEST((termination_deadline(p, t0) == t0 + 5s));
  p.spec.termination_grace_period_seconds = 0;
  BOOST_TEST((termination_deadline(p, t0) == t0));
}

BOOST_AUTO_TEST_CASE(restart_policies_and_exit_reasons) {
  struct row {
    const char* policy;
    int exit_code, signal;
    const char* reason;
    bool restarts;
  };
  const row rows[] = {
      {"Always", 0, 0, "Completed", true},     {"", 1, 0, "Error", true},
      {"OnFailure", 0, 0, "Completed", false}, {"OnFailure", 2, 0, "Error", true},
      {"Never", 1, 0, "Error", false},         {"Never", 137, 0, "OOMKilled", false},
      {"Never", 137, 9, "Error", false},  // killed by SIGKILL, not by the OOM killer
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.policy << " " << r.exit_code << "/" << r.signal) {
      auto run = web_run();
      auto& c = run.containers[0];
      c.pid = 4242;
      c.state = running_since(100);
      container_exited(c, r.policy, r.exit_code, r.signal, messages::timestamp{200}, t0,
                       restart_backoff{});
      BOOST_TEST(c.pid == 0);
      const auto& terminated = r.restarts ? c.last_state.terminated : c.state.terminated;
      BOOST_REQUIRE(terminated.has_value());
      BOOST_TEST(terminated->reason == r.reason);
      BOOST_TEST(terminated->exit_code == r.exit_code);
      BOOST_TEST(terminated->signal == r.signal);
      BOOST_TEST(terminated->started_at.seconds == 100);
      BOOST_TEST(terminated->finished_at.seconds == 200);
      BOOST_TEST(terminated->container_id == "runc://0123abcd4567-php");
      BOOST_TEST(c.restarts == (r.restarts ? 1 : 0));
      if (r.restarts) {
        BOOST_REQUIRE(c.state.waiting.has_value());
        BOOST_TEST(c.state.waiting->reason == "CrashLoopBackOff");
        BOOST_TEST(c.state.waiting->message == "restarting failed container=php");  // at once
        BOOST_TEST((c.next_start == t0));  // the first restart: at once
      } else {
        BOOST_TEST(!c.state.waiting.has_value());
        BOOST_TEST(!c.last_state.terminated.has_value());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(the_status_has_the_node_and_pod_addresses_once_known) {
  auto run = web_run();
  auto self = test::small_node("node1");
  self.status.addresses = {{"Hostname", "node1"}, {"InternalIP", "192.168.1.10"}};
  auto s = observed_status(run, self);
  BOOST_TEST(s.host_ip == "192.168.1.10");
  BOOST_TEST(s.pod_ip == "");
  run.network.ip = "10.244.1.2";
  BOOST_TEST(observed_status(run, self).pod_ip == "");  // not attached yet
  run.network_ready = true;
  BOOST_TEST(observed_status(run, self).pod_ip == "10.244.1.2");
}

BOOST_AUTO_TEST_CASE(the_phase_follows_the_containers) {
  auto self = test::small_node("node1");
  struct row {
    messages::container_state php, redis;
    const char* phase;
    bool ready;
  };
  const row rows[] = {
      {{}, {}, "Pending", false},
      {running_since(10), {}, "Running", false},
      {running_since(10), running_since(20), "Running", true},
      {terminated_with(0), running_since(20), "Running", false},
      {terminated_with(0), terminated_with(0), "Succeeded", false},
      {terminated_with(0), terminated_with(1), "Failed", false},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.phase << ", ready " << r.ready) {
      auto run = web_run();
      run.containers[0].state = r.php;
      run.containers[1].state = r.redis;
      auto s = observed_status(run, self);
      BOOST_TEST(s.phase == r.phase);
      BOOST_REQUIRE(s.conditions.size() == 4u);
      const char* expected[][2] = {{"PodScheduled", "True"},
                                   {"Initialized", "True"},
                                   {"ContainersReady", r.ready ? "True" : "False"},
                                   {"Ready", r.ready ? "True" : "False"}};
      for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(s.conditions[i].type == expected[i][0]);
        BOOST_TEST(s.conditions[i].status == expected[i][1]);
        BOOST_TEST(s.conditions[i].last_transition_time.empty());  // the caller stamps them
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(container_statuses_carry_image_restarts_and_the_earliest_start) {
  auto run = web_run();
  run.containers[0].state = running_since(30);
  run.containers[0].restarts = 2;
  run.containers[0].image_id = "oci://kubeguide/guestbook-php-frontend";
  run.containers[1].state = running_since(20);
  auto s = observed_status(run, test::small_node("node1"));
  BOOST_REQUIRE(s.container_statuses.size() == 2u);
  const auto& php = s.container_statuses[0];
  BOOST_TEST(php.name == "php");
  BOOST_TEST(php.image == "kubeguide/guestbook-php-frontend");
  BOOST_TEST(php.image_id == "oci://kubeguide/guestbook-php-frontend");
  BOOST_TEST(php.container_id == "runc://0123abcd4567-php");
  BOOST_TEST(php.restart_count == 2);
  BOOST_TEST(php.ready);
  BOOST_TEST(s.container_statuses[1].image == "redis");
  BOOST_TEST(s.start_time.seconds == 20);  // the earliest running container
  run.spec.status.start_time = messages::timestamp{5};
  BOOST_TEST(observed_status(run, test::small_node("node1")).start_time.seconds == 5);
}
