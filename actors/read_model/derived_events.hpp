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

class derived_events {
public:
  explicit derived_events(std::size_t capacity = 10000) : capacity_(capacity) {}

  // Records the Events that `record` implies; `before` is the state just before it applied.
  void observe(const store::cluster_state& before, const messages::journal_record& record);

  const std::map<store::object_key, messages::any_object>& all() const { return events_; }

private:
  void emit(const messages::journal_record& record, messages::object_reference involved,
            const std::string& type, const std::string& reason, const std::string& message,
            const std::string& component);

  std::size_t capacity_;
  std::map<store::object_key, messages::any_object> events_;
  // Aggregation: (involved uid, reason, message) -> event name, as Kubernetes' correlator does.
  std::unordered_map<std::string, store::object_key> by_identity_;
  std::deque<std::pair<store::object_key, std::string>> order_;  // (event, identity), oldest first
};

}  // namespace capstan::actors
