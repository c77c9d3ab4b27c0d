// The runc runtime (runc_runtime.hpp) as one class whose methods are spread by job:
//  - runc_runtime.cpp: its thread, the task queue, and the pod_runtime interface;
//  - runc_pod_start.cpp: pods admitted and adopted; volumes, network, images and bundles set up;
//    containers started and their postStart hooks run;
//  - runc_pod_health.cpp: containers reaped and probed; statuses and events reported;
//  - runc_pod_termination.cpp: pods terminated as the kubelet does (preStop hooks, SIGTERM, the
//    grace period, SIGKILL) and removed.
// The rules it follows are plain functions elsewhere (pod_run, container_probes,
// container_hooks); everything here but the pod_runtime interface runs on the runtime's thread.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "nodeagent/container_hooks.hpp"
#include "nodeagent/pod_network.hpp"
#include "nodeagent/pod_run.hpp"
#include "nodeagent/pod_runtime.hpp"
#include "nodeagent/pod_volumes.hpp"
#include "nodeagent/probe_runner.hpp"
#include "nodeagent/runc_runtime.hpp"

namespace capstan::nodeagent::detail {

using namespace messages;

// A whole file's bytes ("" when it cannot be read).
std::string read_file(const std::string& path);
// Replaces a file's bytes.
void write_file(const std::string& path, const std::string& text);
// A process runs (and is not a zombie).
bool alive(pid_t pid);

class runc_runtime : public pod_runtime {
public:
  explicit runc_runtime(runc_runtime_config config);
  ~runc_runtime() override;

  void start(const node& self, reporter report, event_reporter events) override;
  void sync(std::vector<pod> desired) override;
  void upsert(pod desired) override;
  void set_config_volumes(std::vector<config_volume> volumes) override;
  void set_pull_auths(std::vector<messages::image_pull_auth> auths) override;
  void set_cluster_dns(cluster_dns_settings settings) override;
  void set_pod_network(messages::pod_network_settings settings) override;
  void remove(const std::string&, const std::string&, const std::string& uid) override;
  void set_peers(std::vector<peer_node> peers) override;
  container_log logs(const std::string& ns, const std::string& name, const std::string& container,
                     uint64_t offset, uint64_t tail) override;
  exec_target exec_target_of(const std::string& ns, const std::string& name,
                             const std::string& uid, const std::string& container) override;
  exec_target port_target_of(const std::string& ns, const std::string& name,
                             const std::string& uid) override;
  std::string version() const override { return version_; }

private:
  void post(std::function<void()> task);

  void loop();
  // Puts pod_network_ in force once the bridge is up; settings that are not valid are printed
  // and change nothing; an overlay that could not be set up is printed and retried by
  // resync_pod_network.
  void apply_pod_network();
  // Every 5 s: mends a pod network that could not be set up (or an overlay entry not added).
  void resync_pod_network();
  void report_network_problem(const std::string& problem);

  // ---- pods ----
  std::string pod_dir(const std::string& uid) { return config_.data_dir + "/pods/" + uid; }

  // Pods left by an earlier agent: their containers run on; take them over.
  void adopt();

  // The pod's record, its containers' log files known to logs().
  pod_run prepare(pod p);

  void admit(pod p);

  // Gives the pod a free address (kept in DIR/ip for adopt), its namespace, and its /etc/hosts.
  void setup_pod_network(pod_run& run);

  void start_container(pod_run& run, container_run& cr);

  // Takes the exit statuses of containers started by this process from the process's reaper
  // (common/process.hpp), which collects them as soon as they exit.
  void reap();

  // A container's process ended: its runc container goes, the record follows the restart
  // policy (container_exited).
  void finished(pod_run& run, container_run& c, int exit_code, int signal);

  // Starts what should run and is not running yet (first start or a restart due now).
  void tend(pod_run& run);

  // Hands the pod's volumes to a worker when an attempt is due; the outcome comes back as a
  // task (volumes_set_up).
  void set_up_volumes_of(pod_run& run);

  // The pod's containers may start, or it waits (ContainerCreating) for the next attempt with a
  // FailedMount event. A pod removed meanwhile has what was mounted for it undone here.
  void volumes_set_up(const pod& spec, const std::string& dir,
                      const std::optional<volume_failure>& failure);

  void emit(const pod_run& run, std::string type, std::string reason, std::string message);

  // Hands the probes due now to the prober; each result comes back as a task (probe_result).
  void probe(pod_run& run);

  // A probe's result: counted against the run it was taken in; a failed liveness or startup
  // probe kills the container (the reaper then restarts it as its restart policy says).
  void probe_result(const std::string& uid, const std::string& name, uint64_t number,
                    probe_kind kind, const probe_outcome& outcome);

  // Runs a hook's action (`plan.action`) for container `c` of `run` on `runner`, bounded by
  // hook_timeout_seconds when it starts; `done` gets its outcome on the runtime's thread, with
  // the pod and container as they are then (never called when the pod or that run of the
  // container is gone).
  void run_hook(probe_runner& runner, const pod_run& run, const container_run& c,
                const hook_plan& plan,
                std::function<void(pod_run&, container_run&, const probe_outcome&)> done);

  // Starts the postStart hook of a container that has just started (container_hooks.hpp): a
  // failure kills it (FailedPostStartHook).
  void post_start(pod_run& run, container_run& c, const container& spec);

  // Ends postStart sleeps that are over, kills containers whose failed postStart's grace period
  // is over; terminating: sends the SIGTERMs due after preStop sleeps.
  void advance_hooks(pod_run& run);

  // Sends the pod's status when it changed since the last report.
  void report(pod_run& run);

  // Starts the pod's termination, as the kubelet does: each running container gets its preStop
  // hook, then SIGTERM (at once without a hook); SIGKILL to what still runs
  // terminationGracePeriodSeconds later (finish_terminations); the pod is removed once nothing
  // of it runs. Never blocks the runtime's thread.
  void delete_pod(const std::string& uid, std::optional<int64_t> grace = std::nullopt);

  // Terminating pods whose containers all ended, or whose grace period is over (what still runs
  // gets SIGKILL), are removed.
  void finish_terminations();

  // SIGTERM to a container of a terminating pod.
  void terminate_container(container_run& c);
  // SIGTERM once its preStop hook ended, with at least min_grace_after_hook before the pod's
  // SIGKILL.
  void terminate_after_hook(pod_run& run, container_run& c);

  // Kills what still runs of the pod and removes its containers, cgroups, network and files.
  void remove_pod(const std::string& uid);

  // runc delete leaves the cgroup directories behind (one per controller in cgroup v1).
  void remove_cgroup(const std::string& path);

  runc_runtime_config config_;
  std::string version_;
  node self_;
  reporter report_;
  event_reporter events_;
  pod_network network_{host_actions::real()};  // runtime thread only
  std::map<std::string, pod_run> pods_;        // by uid; runtime thread only
  // Pod UID -> volume name -> the files of its secret or configMap volume; runtime thread only.
  std::map<std::string, std::map<std::string, std::vector<volume_file>>> config_volumes_;
  // Pod UID -> its registry credentials (a containers auth file); runtime thread only.
  std::map<std::string, std::string> pull_auths_;
  cluster_dns_settings cluster_dns_;  // what pods' resolv.conf names
  messages::pod_network_settings pod_network_;  // the cluster's, as last told
  bool bridge_up_ = false;
  std::string network_problem_;  // what the last failed setup said ("" : none)
  std::chrono::steady_clock::time_point next_network_resync_;
  bool synced_ = false;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::map<std::string, std::string> log_paths_;  // "ns/pod/container" -> file; under mutex_
  // "ns/pod/container" -> the pod's UID and the runc container id; under mutex_
  std::map<std::string, std::pair<std::string, std::string>> exec_ids_;
  bool stopping_ = false;
  std::thread thread_;
  // Last: stopped first (their jobs post to the task queue above). Mounts and hooks have their
  // own workers: one waiting for an NFS server or a slow hook must not hold up probes.
  probe_runner prober_{2};
  probe_runner pre_stop_hooks_{4};
  probe_runner post_start_hooks_{2};
  probe_runner mounter_{1};
};

}  // namespace capstan::nodeagent::detail
