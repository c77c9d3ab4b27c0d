#include "nodeagent/container_hooks.hpp"

#include <algorithm>
#include <climits>

#include "nodeagent/pod_run.hpp"

namespace capstan::nodeagent {

namespace {

// `handler`, which a sleep of at most `deadline` (if set) bounds.
hook_plan plan(const messages::lifecycle_handler& handler, steady_time now,
               std::optional<steady_time> deadline) {
  hook_plan out;
  if (deadline && now >= *deadline)
    return out;
  if (handler.sleep) {
    out.what = hook_plan::step::sleep;
    out.until =
        now + std::chrono::seconds(std::clamp<int64_t>(handler.sleep->seconds, 0, max_wait_seconds));
    if (deadline)
      out.until = std::min(out.until, *deadline);
    return out;
  }
  if (!handler.exec && !handler.http_get && !handler.tcp_socket)
    return out;
  out.what = hook_plan::step::run;
  out.action.exec = handler.exec;
  out.action.http_get = handler.http_get;
  out.action.tcp_socket = handler.tcp_socket;
  out.deadline = deadline;
  return out;
}

}  // namespace

hook_plan plan_post_start(const messages::container& spec, steady_time now) {
  if (!spec.lifecycle || !spec.lifecycle->post_start)
    return {};
  return plan(*spec.lifecycle->post_start, now, std::nullopt);
}

hook_plan plan_pre_stop(const messages::container& spec, steady_time now, steady_time kill_at) {
  if (!spec.lifecycle || !spec.lifecycle->pre_stop)
    return {};
  return plan(*spec.lifecycle->pre_stop, now, kill_at);
}

int32_t hook_timeout_seconds(std::optional<steady_time> deadline, steady_time now) {
  if (!deadline)
    return static_cast<int32_t>(post_start_timeout.count());
  if (now >= *deadline)
    return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(*deadline - now).count();
  return static_cast<int32_t>(std::clamp<int64_t>(left, 1, INT32_MAX));
}

}  // namespace capstan::nodeagent
