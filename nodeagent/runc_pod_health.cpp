// The runc runtime's watch over running containers: exits reaped and turned into restarts,
// probes run on the prober's workers and acted on, statuses and events reported.
#include "nodeagent/detail/runc_runtime_impl.hpp"

#include <cstdio>

#include "common/process.hpp"
#include "messages/json_codec.hpp"

namespace capstan::nodeagent::detail {

namespace fs = std::filesystem;
using namespace common;
using steady = std::chrono::steady_clock;

void runc_runtime::reap() {
  for (auto& [uid, run] : pods_)
    for (auto& c : run.containers)
      if (c.pid > 0 && c.child)
        if (auto e = exit_status(c.pid))
          finished(run, c, e->exit_code, e->signal);
  // Adopted containers are not our children: notice them gone.
  for (auto& [uid, run] : pods_)
    for (auto& c : run.containers)
      if (c.pid > 0 && !c.child && !alive(c.pid))
        finished(run, c, 0, 0);
}

void runc_runtime::finished(pod_run& run, container_run& c, int exit_code, int signal) {
  const timestamp finished_at = timestamp::now();
  run_process({"runc", "--root", config_.data_dir + "/runc", "delete", "--force", c.id});
  container_exited(c, run.spec.spec.restart_policy, exit_code, signal, finished_at, steady::now(),
                   config_.backoff);
}

void runc_runtime::emit(const pod_run& run, std::string type, std::string reason, std::string message) {
  if (events_)
    events_({run.spec.metadata.namespace_, run.spec.metadata.name, run.spec.metadata.uid,
             std::move(type), std::move(reason), std::move(message)});
}

void runc_runtime::probe(pod_run& run) {
  if (run.kill_at)
    return;
  const auto now = steady::now();
  for (auto& c : run.containers) {
    if (c.pid <= 0 || !c.state.running || c.post_start_pending)
      continue;
    const container* spec = spec_of(run, c.name);
    if (!spec)
      continue;
    for (auto kind : take_due(c.probes, now)) {
      const auto& p = kind == probe_kind::startup    ? *spec->startup_probe
                      : kind == probe_kind::liveness ? *spec->liveness_probe
                                                     : *spec->readiness_probe;
      probe_target target{run.network.ip, spec->ports, config_.data_dir + "/runc", c.id};
      prober_.submit([this, p, target, kind, uid = run.spec.metadata.uid, name = c.name,
                      number = c.run_number] {
        auto outcome = run_probe(p, target);
        post([this, uid, name, number, kind, outcome] {
          probe_result(uid, name, number, kind, outcome);
        });
      });
    }
  }
}

void runc_runtime::probe_result(const std::string& uid, const std::string& name, uint64_t number,
                  probe_kind kind, const probe_outcome& outcome) {
  auto it = pods_.find(uid);
  if (it == pods_.end())
    return;
  for (auto& c : it->second.containers) {
    if (c.name != name || c.run_number != number || c.pid <= 0)
      continue;
    auto verdict = record(c.probes, kind, outcome.success);
    const auto& meta = it->second.spec.metadata;
    if (!outcome.success) {
      std::fprintf(stderr, "capstan node: %s probe of %s/%s container %s failed: %s\n",
                   probe_name(kind), meta.namespace_.c_str(), meta.name.c_str(), name.c_str(),
                   outcome.message.c_str());
      emit(it->second, "Warning", "Unhealthy",
           std::string(probe_name(kind)) + " probe failed: " + outcome.message);
    }
    if (verdict == probe_verdict::kill) {
      const char* which = kind == probe_kind::startup ? "startup" : "liveness";
      std::fprintf(stderr, "capstan node: killing %s/%s container %s: it failed its %s probe\n",
                   meta.namespace_.c_str(), meta.name.c_str(), name.c_str(), which);
      emit(it->second, "Normal", "Killing",
           "Container " + name + " failed " + which + " probe, will be restarted");
      run_process({"runc", "--root", config_.data_dir + "/runc", "kill", c.id, "KILL"});
    }
  }
}

void runc_runtime::report(pod_run& run) {
  if (run.kill_at)
    return;  // its pod is gone from the master
  pod_status s = observed_status(run, self_);
  // Times in the conditions would make every report differ: compare without them.
  std::string text = to_json_part(s).dump();
  if (text == run.reported)
    return;
  run.reported = text;
  auto now = timestamp::now();
  for (auto& c : s.conditions)
    c.last_transition_time = now;
  report_({run.spec.metadata.namespace_, run.spec.metadata.name, run.spec.metadata.uid, s});
}

void runc_runtime::advance_hooks(pod_run& run) {
  const auto now = steady::now();
  for (auto& c : run.containers) {
    if (c.pid <= 0)
      continue;
    if (c.post_start_until && now >= *c.post_start_until) {
      c.post_start_until.reset();
      c.post_start_pending = false;
    }
    if (c.terminate_at && now >= *c.terminate_at) {
      c.terminate_at.reset();
      terminate_after_hook(run, c);
    }
    if (c.kill_at && now >= *c.kill_at) {
      c.kill_at.reset();
      run_process({"runc", "--root", config_.data_dir + "/runc", "kill", c.id, "KILL"});
    }
  }
}

}  // namespace capstan::nodeagent::detail
