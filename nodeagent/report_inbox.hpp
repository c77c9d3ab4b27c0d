// What a node agent's runtimes report about their pods, gathered from any thread until the
// agent sends it to the master as one message (nodeagent/node_agent.cpp). Only the newest
// status of a pod is kept; events are kept in order up to a bound.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "messages/node_protocol.hpp"
#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

class report_inbox {
public:
  // `wake` is called (from the reporting thread, outside the lock) when a report arrives in an
  // empty inbox: the agent then drains it at its next turn.
  explicit report_inbox(std::function<void()> wake) : wake_(std::move(wake)) {}

  void push(const std::string& node_name, pod_report report);
  // Events are kept in order up to `max_pending_events` between two drains; beyond, the
  // newest are dropped (counted, and said at the next drain) rather than grow without bound.
  void push_event(const std::string& node_name, pod_event event);
  // The newest status of each pod reported since the last drain, by "node/ns/name".
  std::map<std::string, messages::pod_status_report> drain();
  std::vector<messages::pod_event_report> drain_events();

private:
  static constexpr std::size_t max_pending_events = 1000;
  std::function<void()> wake_;
  std::mutex mutex_;
  std::map<std::string, messages::pod_status_report> pending_;  // guarded by mutex_
  std::vector<messages::pod_event_report> events_;              // oldest first; guarded
  uint64_t dropped_events_ = 0;                                 // guarded by mutex_
};

}  // namespace capstan::nodeagent
