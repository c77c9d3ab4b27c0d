// The runc runtime's pod termination, as the kubelet does it: SIGTERM to each container (after
// its preStop hook), SIGKILL to what still runs at the end of the grace period, then everything
// of the pod removed; never blocking the runtime's thread.
#include "nodeagent/detail/runc_runtime_impl.hpp"

#include <unistd.h>

#include <filesystem>

#include "common/process.hpp"

namespace capstan::nodeagent::detail {

namespace fs = std::filesystem;
using namespace common;
using steady = std::chrono::steady_clock;

void runc_runtime::delete_pod(const std::string& uid, std::optional<int64_t> grace) {
  auto it = pods_.find(uid);
  if (it == pods_.end())
    return;  // unknown, or not adopted yet (left for adopt)
  auto& run = it->second;
  auto deadline = termination_deadline(run.spec, steady::now(), grace);
  if (run.kill_at) {
    run.kill_at = std::min(*run.kill_at, deadline);  // a later delete may shorten the grace
    for (auto& c : run.containers)
      if (c.pid > 0 && c.terminate_at && *c.terminate_at >= *run.kill_at) {
        c.terminate_at.reset();  // its preStop sleep is cut short: SIGTERM before the SIGKILL
        terminate_container(c);
      }
    return;
  }
  run.kill_at = deadline;
  const auto now = steady::now();
  for (auto& c : run.containers) {
    if (c.pid <= 0)
      continue;
    if (run.confirm_deletion)  // the pod is still in the master: its events are seen
      emit(run, "Normal", "Killing", "Stopping container " + c.name);
    const container* spec = spec_of(run, c.name);
    auto plan = spec ? plan_pre_stop(*spec, now, deadline) : hook_plan{};
    switch (plan.what) {
      case hook_plan::step::none:
        terminate_container(c);
        break;
      case hook_plan::step::sleep:
        c.terminate_at = plan.until;  // advance_hooks
        break;
      case hook_plan::step::run:
        run_hook(pre_stop_hooks_, run, c, plan,
                 [this](pod_run& run, container_run& c, const probe_outcome& outcome) {
                   if (!outcome.success && run.confirm_deletion)
                     emit(run, "Warning", "FailedPreStopHook",
                          "PreStopHook failed: " + outcome.message);
                   terminate_after_hook(run, c);
                 });
        break;
    }
  }
}

void runc_runtime::terminate_container(container_run& c) {
  run_process({"runc", "--root", config_.data_dir + "/runc", "kill", c.id, "TERM"});
}

void runc_runtime::terminate_after_hook(pod_run& run, container_run& c) {
  if (run.kill_at)
    run.kill_at = std::max(*run.kill_at, steady::now() + min_grace_after_hook);
  terminate_container(c);
}

void runc_runtime::finish_terminations() {
  const auto now = steady::now();
  std::vector<std::string> done;
  for (auto& [uid, run] : pods_) {
    if (!run.kill_at)
      continue;
    bool running = false;
    for (const auto& c : run.containers)
      running |= c.pid > 0;
    if (!running || now >= *run.kill_at)
      done.push_back(uid);
  }
  for (const auto& uid : done)
    remove_pod(uid);
}

void runc_runtime::remove_pod(const std::string& uid) {
  config_volumes_.erase(uid);
  pull_auths_.erase(uid);
  auto it = pods_.find(uid);
  if (it == pods_.end())
    return;
  pod_run run = std::move(it->second);
  pods_.erase(it);
  std::string root = config_.data_dir + "/runc";
  for (auto& c : run.containers) {
    if (c.pid > 0) {
      run_process({"runc", "--root", root, "kill", c.id, "KILL"});
      exit_status(c.pid);  // claimed if already collected; a later exit stays unclaimed
    }
    run_process({"runc", "--root", root, "delete", "--force", c.id});
    remove_cgroup("/capstan/" + short_uid(uid) + "/" + c.name);
    std::lock_guard<std::mutex> lock(mutex_);
    log_paths_.erase(run.spec.metadata.namespace_ + "/" + run.spec.metadata.name + "/" + c.name);
    exec_ids_.erase(run.spec.metadata.namespace_ + "/" + run.spec.metadata.name + "/" + c.name);
  }
  remove_cgroup("/capstan/" + short_uid(uid));
  network_.detach(run.network);
  // Never remove_all over a mounted nfs volume (its files are the server's): a volume set up
  // right now is undone when that ends (volumes_set_up), one that stays mounted is left.
  if (!run.volumes.in_progress && !remove_pod_dir(run.dir))
    std::fprintf(stderr, "capstan node: %s left in place: a volume in it stays mounted\n",
                 run.dir.c_str());
  // Only now: a pod the master removes has nothing left here.
  if (run.confirm_deletion && report_)
    report_({run.spec.metadata.namespace_, run.spec.metadata.name, uid, {}, true});
}

void runc_runtime::remove_cgroup(const std::string& path) {
  std::error_code ec;
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    fs::remove("/sys/fs/cgroup" + path, ec);
    return;
  }
  for (const auto& controller : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (controller.is_directory() && !controller.is_symlink())
      ::rmdir((controller.path().string() + path).c_str());
}

}  // namespace capstan::nodeagent::detail
