#include "nodeagent/report_inbox.hpp"

#include <cstdio>
#include <utility>

namespace capstan::nodeagent {

void report_inbox::push(const std::string& node_name, pod_report report) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake = pending_.empty();
    std::string key = node_name + "/" + report.namespace_ + "/" + report.name;
    pending_[key] = messages::pod_status_report{
        node_name,          std::move(report.namespace_), std::move(report.name),
        std::move(report.uid), std::move(report.status),  report.terminated};
  }
  if (wake)
    wake_();
}

void report_inbox::push_event(const std::string& node_name, pod_event event) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake = pending_.empty() && events_.empty();
    if (events_.size() >= max_pending_events) {
      ++dropped_events_;
      return;
    }
    events_.push_back(messages::pod_event_report{
        node_name, std::move(event.namespace_), std::move(event.name), std::move(event.uid),
        std::move(event.type), std::move(event.reason), std::move(event.message)});
  }
  if (wake)
    wake_();
}

std::map<std::string, messages::pod_status_report> report_inbox::drain() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(pending_, {});
}

std::vector<messages::pod_event_report> report_inbox::drain_events() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (dropped_events_ > 0) {
    std::fprintf(stderr, "capstan node: %llu pod event(s) dropped: more than %zu in one flush\n",
                 static_cast<unsigned long long>(dropped_events_), max_pending_events);
    dropped_events_ = 0;
  }
  return std::exchange(events_, {});
}

}  // namespace capstan::nodeagent
