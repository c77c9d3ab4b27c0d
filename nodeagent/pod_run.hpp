// What the runc runtime tracks of each pod it runs and of its containers, and the rules over
// that record as plain functions: the names derived from a pod's UID, back-off, restart policy
// and exit reasons, and the status a pod reports. No I/O and explicit times: runc_runtime does
// the work, keeps the records on its own thread and passes the clock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "messages/objects.hpp"
#include "nodeagent/container_probes.hpp"
#include "nodeagent/pod_network.hpp"

namespace capstan::nodeagent {

using steady_time = std::chrono::steady_clock::time_point;

// The longest wait a pod's spec can ask for (ten years): grace periods and sleeps beyond are
// cut to it, so that no time computed from them overflows.
inline constexpr int64_t max_wait_seconds = 10LL * 365 * 24 * 3600;

// Kubernetes' container restart back-off (the kubelet's): a container's first restart is at
// once, the next wait `initial`, doubling up to `max`; a container that had been running for
// `reset_after` when it ended starts over (the kubelet forgets a back-off after twice its
// ceiling). Image pulls back off the same way. Configurable per agent (capstan node
// --restart-backoff) so that tests stay short.
struct restart_backoff {
  std::chrono::seconds initial{10};
  std::chrono::seconds max{300};
  std::chrono::seconds reset_after{600};
};

struct container_run {
  std::string name, id;  // id: the runc container id
  pid_t pid = 0;
  bool child = false;  // started by this process (its exit status can be reaped)
  int restarts = 0;
  messages::container_state state;
  messages::container_state last_state;
  steady_time next_start{};
  steady_time running_since{};      // when it was last seen starting (or adopted running)
  std::chrono::seconds backoff{0};  // the next wait: 0 until the first back-off
  std::string image_id;
  container_probes probes;  // of the current run (started again with it)
  uint64_t run_number = 0;  // counts starts: a probe's result is for the run it was taken in
  // Its lifecycle hooks (container_hooks.hpp), of the current run:
  bool post_start_pending = false;              // postStart not over: not ready, not probed
  std::optional<steady_time> post_start_until;  // a postStart sleep ends then
  std::optional<steady_time> terminate_at;      // terminating: SIGTERM then (a preStop sleep)
  std::optional<steady_time> kill_at;  // SIGKILL then, unless it ended (a failed postStart)
};

// A pod's volumes (pod_volumes.hpp): set up before any container starts, on a worker; a
// failure waits mount_retry_delay(failures) before the next attempt.
struct volume_setup {
  bool ready = false;
  bool in_progress = false;  // a worker sets them up now
  int failures = 0;
  steady_time next_attempt{};
};

struct pod_run {
  messages::pod spec;
  std::string dir;
  pod_endpoint network;
  bool network_ready = false;
  volume_setup volumes;  // containers wait ContainerCreating until ready
  std::vector<container_run> containers;
  std::string reported;  // the last status sent, as JSON
  // Set when the pod is being terminated: SIGTERM was sent; SIGKILL at this time for what
  // still runs (terminationGracePeriodSeconds after), then the pod is removed.
  std::optional<steady_time> kill_at;
  // The master asked for the termination (a deletionTimestamp) and waits for the node to
  // confirm the pod's end before it removes the pod.
  bool confirm_deletion = false;
};

// When a pod whose termination starts at `now` is killed: after `grace` seconds (the delete's
// grace period) or, unset, its terminationGracePeriodSeconds (Kubernetes' default, 30 s, when
// unset; 0: at once).
steady_time termination_deadline(const messages::pod& p, steady_time now,
                                 std::optional<int64_t> grace = std::nullopt);

// The spec of `run`'s container `name` (null when the spec has none of that name).
const messages::container* spec_of(const pod_run& run, const std::string& name);

// The UID without its dashes, cut to 12 characters: it names the pod's network namespace
// (cp-SHORT), its veth (vpSHORT), its runc containers (SHORT-NAME) and cgroups (/capstan/SHORT).
std::string short_uid(const std::string& uid);

// The record of a pod about to run from `dir` (DATA/pods/UID): its namespace and veth names, and
// each container of its spec waiting as ContainerCreating.
pod_run new_pod_run(messages::pod p, std::string dir);

// The container waits with `reason` and `message` until `now` plus its back-off, which then
// grows by `policy` (0, initial, doubling up to max).
void back_off(container_run& c, std::string reason, std::string message, steady_time now,
              const restart_backoff& policy);

// A container's process ended with `exit_code` (`signal` when a signal ended it) at
// `finished_at`. It is terminated with reason Completed (0), OOMKilled (137 not from SIGKILL) or
// Error. Under restart policy Always (or none) or, after a failure, OnFailure, that state becomes
// its last state and it waits CrashLoopBackOff (back_off from `now`, started over when it had
// run for policy.reset_after), one restart more.
void container_exited(container_run& c, const std::string& restart_policy, int exit_code,
                      int signal, messages::timestamp finished_at, steady_time now,
                      const restart_backoff& policy);

// The status the pod reports as its containers are now, on node `self` (hostIP: its InternalIP):
// podIP once its network is up; each container's state, last state, restarts and readiness
// (running, its postStart hook over); phase Succeeded or Failed once all have terminated, else Running while any runs,
// else Pending; startTime as the spec has it or the earliest start; conditions PodScheduled and
// Initialized true, ContainersReady and Ready while all run and are ready (their startup and
// readiness probes passed, container_probes.hpp), without times (the caller stamps them: with
// times every report would differ).
messages::pod_status observed_status(const pod_run& run, const messages::node& self);

}  // namespace capstan::nodeagent
