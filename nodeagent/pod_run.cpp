// The runc runtime's pod records: names from UIDs, back-off and restarts, reported status.
#include "nodeagent/pod_run.hpp"

#include <algorithm>

namespace capstan::nodeagent {

using namespace messages;

const container* spec_of(const pod_run& run, const std::string& name) {
  for (const auto& c : run.spec.spec.containers)
    if (c.name == name)
      return &c;
  return nullptr;
}

std::string short_uid(const std::string& uid) {
  std::string s;
  for (char ch : uid)
    if (ch != '-')
      s.push_back(ch);
  return s.substr(0, 12);
}

pod_run new_pod_run(pod p, std::string dir) {
  pod_run run;
  run.dir = std::move(dir);
  run.network.netns = "cp-" + short_uid(p.metadata.uid);
  run.network.veth = "vp" + short_uid(p.metadata.uid);
  for (const auto& c : p.spec.containers) {
    container_run cr;
    cr.name = c.name;
    cr.id = short_uid(p.metadata.uid) + "-" + c.name;
    cr.state.waiting = container_state_waiting{"ContainerCreating", ""};
    run.containers.push_back(std::move(cr));
  }
  run.spec = std::move(p);
  return run;
}

void back_off(container_run& c, std::string reason, std::string message, steady_time now,
              const restart_backoff& policy) {
  c.state = {};
  c.state.waiting = container_state_waiting{std::move(reason), std::move(message)};
  c.next_start = now + c.backoff;
  c.backoff = c.backoff.count() == 0 ? policy.initial : std::min(c.backoff * 2, policy.max);
}

void container_exited(container_run& c, const std::string& restart_policy, int exit_code,
                      int signal, timestamp finished_at, steady_time now,
                      const restart_backoff& policy) {
  if (c.state.running && now - c.running_since >= policy.reset_after)
    c.backoff = std::chrono::seconds(0);
  container_state_terminated t;
  t.exit_code = exit_code;
  t.signal = signal;
  t.reason = exit_code == 0 ? "Completed" : (exit_code == 137 ? "OOMKilled" : "Error");
  if (exit_code == 137 && signal == 9)
    t.reason = "Error";
  t.started_at = c.state.running ? c.state.running->started_at : timestamp{};
  t.finished_at = finished_at;
  t.container_id = "runc://" + c.id;
  c.pid = 0;
  c.state = {};
  c.state.terminated = t;
  bool restart = restart_policy == "Always" || restart_policy.empty() ||
                 (restart_policy == "OnFailure" && exit_code != 0);
  if (restart) {
    c.last_state = c.state;
    std::string wait = c.backoff.count() == 0
                           ? std::string()
                           : "back-off " + std::to_string(c.backoff.count()) + "s ";
    back_off(c, "CrashLoopBackOff", wait + "restarting failed container=" + c.name, now, policy);
    ++c.restarts;
  }
}

steady_time termination_deadline(const pod& p, steady_time now, std::optional<int64_t> grace) {
  int64_t seconds = grace ? *grace : p.spec.termination_grace_period_seconds.value_or(30);
  // At most ten years: a larger grace period is as good as none ending, and must not overflow.
  return now + std::chrono::seconds(std::clamp<int64_t>(seconds, 0, max_wait_seconds));
}

pod_status observed_status(const pod_run& run, const node& self) {
  pod_status s;
  s.host_ip = "";
  for (const auto& a : self.status.addresses)
    if (a.type == "InternalIP")
      s.host_ip = a.address;
  s.pod_ip = run.network_ready ? run.network.ip : "";
  bool all_ready = true, any_running = false, all_done = true, any_failed = false;
  timestamp earliest;
  for (const auto& c : run.containers) {
    container_status cs;
    cs.name = c.name;
    for (const auto& spec : run.spec.spec.containers)
      if (spec.name == c.name)
        cs.image = spec.image;
    cs.image_id = c.image_id;
    cs.container_id = "runc://" + c.id;
    cs.state = c.state;
    cs.last_state = c.last_state;
    cs.restart_count = c.restarts;
    cs.ready = c.state.running.has_value() && !c.post_start_pending && c.probes.ready();
    all_ready &= cs.ready;
    any_running |= c.state.running.has_value();
    all_done &= c.state.terminated.has_value();
    any_failed |= c.state.terminated && c.state.terminated->exit_code != 0;
    if (c.state.running &&
        (earliest.seconds == 0 || c.state.running->started_at.seconds < earliest.seconds))
      earliest = c.state.running->started_at;
    s.container_statuses.push_back(std::move(cs));
  }
  s.phase =
      all_done ? (any_failed ? "Failed" : "Succeeded") : (any_running ? "Running" : "Pending");
  s.start_time = run.spec.status.start_time.seconds ? run.spec.status.start_time : earliest;
  auto condition = [](const std::string& type, bool ok) {
    return pod_condition{type, ok ? "True" : "False", {}, {}, "", ""};
  };
  s.conditions = {condition("PodScheduled", true), condition("Initialized", true),
                  condition("ContainersReady", all_ready), condition("Ready", all_ready)};
  return s;
}

}  // namespace capstan::nodeagent
