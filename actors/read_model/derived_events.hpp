// Kubernetes Events (Scheduled, FailedScheduling, SuccessfulCreate, SuccessfulDelete,
// NodeNotReady, ...) derived from journal records: a projection of the journal, not extra
// writes. Kept in memory, bounded; rebuilt from the replayed tail on restart.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "store/cluster_state.hpp"
#include "store/event_log.hpp"

namespace capstan::actors {

// An event a component outside the journal saw (a node: FailedMount, Unhealthy, Killing).
struct reported_event {
  messages::object_reference involved;
  std::string type;  // Normal | Warning
  std::string reason, message;
  messages::event_source source;
};

class derived_events {
public:
  explicit derived_events(std::size_t capacity = 10000) : capacity_(capacity) {}

  // Records the Events that `record` implies; `before` is the state just before it applied.
  void observe(const store::cluster_state& before, const messages::journal_record& record);

  // Records `e`, seen at `time_seconds` while the state was at `seq`: aggregated with the same
  // (involved uid, reason, message) as derived events are, bounded by the same capacity. Not
  // journaled, so not rebuilt after a restart (Kubernetes' events expire after an hour too).
  void report(reported_event e, uint64_t seq, int64_t time_seconds);

  const std::map<store::object_key, messages::any_object>& all() const { return events_; }

private:
  void emit(uint64_t seq, int64_t time_seconds, const std::string& name_suffix,
            messages::object_reference involved, const std::string& type,
            const std::string& reason, const std::string& message, messages::event_source source);
  void emit(const messages::journal_record& record, messages::object_reference involved,
            const std::string& type, const std::string& reason, const std::string& message,
            const std::string& component);

  std::size_t capacity_;
  std::map<store::object_key, messages::any_object> events_;
  // Aggregation: (involved uid, reason, message) -> event name, as Kubernetes' correlator does.
  std::unordered_map<std::string, store::object_key> by_identity_;
  std::deque<std::pair<store::object_key, std::string>> order_;  // (event, identity), oldest first
  uint64_t reported_ = 0;  // counts reported events: names them apart at one sequence number
};

}  // namespace capstan::actors
