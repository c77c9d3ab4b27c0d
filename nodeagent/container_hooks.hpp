// Kubernetes' container lifecycle hooks as plain rules on explicit times (the kubelet's
// lifecycle handlers): what a container's postStart and preStop hooks make the runtime do, and
// the probe action a hook runs as. No I/O and no clock: the runc runtime runs the hooks on its
// hook workers (probe_runner.hpp) and passes the times.
//
// As Kubernetes runs them:
//  - postStart runs right after the container started; until it ends the container is not
//    ready and not probed; if it fails, the container is killed (FailedPostStartHook) and
//    restarted as its restart policy says.
//  - preStop runs when the pod is deleted, before the container's SIGTERM, within the grace
//    period: the SIGTERM follows when the hook ends (failed or not: FailedPreStopHook), and
//    SIGKILL at the end of the grace period whatever the hook is doing.
//  - exec runs the command in the container, httpGet and tcpSocket reach the pod's IP (as the
//    probes do), sleep waits its seconds without holding a worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "messages/objects.hpp"

namespace capstan::nodeagent {

struct hook_plan {
  enum class step {
    none,   // no hook (or no time left for one): go on at once
    run,    // run `action` on a hook worker (hook_timeout bounds it), go on when it ends
    sleep,  // go on at `until`
  };
  step what = step::none;
  messages::probe action;  // run: the hook's action (its timeoutSeconds set when it runs)
  // run, preStop: it must be over by then (the container's SIGKILL); unset for postStart,
  // whose bound (post_start_timeout) counts from when it runs.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::chrono::steady_clock::time_point until{};  // sleep
};

// How long a postStart exec, httpGet or tcpSocket hook may run before it counts as failed
// (Kubernetes sets none; a hook that never ends would keep the container unready for ever).
inline constexpr std::chrono::seconds post_start_timeout{30};

// The least time between a container's SIGTERM and its SIGKILL once its preStop hook ended,
// as the kubelet grants (minimumGracePeriodInSeconds).
inline constexpr std::chrono::seconds min_grace_after_hook{2};

// The postStart hook of a container of `spec` that started at `now`.
hook_plan plan_post_start(const messages::container& spec,
                          std::chrono::steady_clock::time_point now);

// The preStop hook of a container of `spec` whose termination starts at `now` and which is
// killed at `kill_at`: done by `kill_at` (a sleep cut to it); none once that has come.
hook_plan plan_pre_stop(const messages::container& spec, std::chrono::steady_clock::time_point now,
                        std::chrono::steady_clock::time_point kill_at);

// The timeoutSeconds of a hook about to run at `now`: what is left until `deadline` (at least
// 1 s: run_probe's unit), or post_start_timeout without one; 0 when the deadline has passed
// (the hook is not run).
int32_t hook_timeout_seconds(std::optional<std::chrono::steady_clock::time_point> deadline,
                             std::chrono::steady_clock::time_point now);

}  // namespace capstan::nodeagent
