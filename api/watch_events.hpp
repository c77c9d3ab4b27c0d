// The events of one watch, as a pure function of the journal: a private copy of the watched
// objects, fed records in sequence order, turns each change into the ADDED, MODIFIED or DELETED
// line kube-apiserver would send, as seen through the watch's namespace, label and field
// filters (an object that stops matching is DELETED, one that starts matching is ADDED). No I/O,
// no clock: api/watch_stream.cpp streams what it returns.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "messages/domain_event.hpp"
#include "messages/field_selector.hpp"
#include "messages/label_selector.hpp"
#include "store/cluster_state.hpp"

namespace capstan::api {

struct watch_request {
  messages::object_kind kind = messages::object_kind::pod;
  std::string namespace_;  // empty: all namespaces
  messages::label_selector labels;
  messages::field_selector fields;
  bool table = false;
  // nullopt or 0: the current objects first (ADDED), then changes. Otherwise the changes after
  // it: from the past (rebuilt from the journal), or from the future (waited for briefly).
  std::optional<uint64_t> resource_version;
  std::chrono::seconds timeout{1800};
};

// Not thread-safe: one owner (the watch's strand) at a time.
class watch_events {
public:
  // `copy` holds the watched objects (of request.kind, in its namespace) as of record
  // `applied`.
  watch_events(watch_request request, store::cluster_state copy, uint64_t applied);

  const watch_request& request() const { return request_; }
  // The last record reflected in the copy.
  uint64_t applied() const { return applied_; }
  // Records up to `seq` change the copy without making events (a watch from a resourceVersion
  // not reached yet). Starts at `applied`.
  void set_emit_after(uint64_t seq) { emit_after_ = seq; }
  uint64_t emit_after() const { return emit_after_; }

  // Applies one record to the copy and appends the event line it makes, if any, to `out`:
  // `{"type":"MODIFIED","object":{...}}\n`, the object as the record left it (DELETED: as it
  // was last). Records at or before applied() are skipped, as are records of other kinds or
  // namespaces; a record the copy cannot apply is skipped too. `now` (Unix seconds) is for a
  // Table's ages.
  void process(const messages::journal_record& rec, std::string& out, int64_t now);

  // ADDED for every object of the copy that matches, stamped `seq` in a Table.
  std::string initial_events(uint64_t seq, int64_t now) const;

private:
  bool matches(const messages::any_object* o) const;
  std::string event(const char* type, const messages::any_object& o, uint64_t seq,
                    int64_t now) const;

  const watch_request request_;
  store::cluster_state mine_;  // the watched objects as of applied_
  uint64_t applied_;           // the last record reflected in mine_
  uint64_t emit_after_;        // records up to here make no events
};

}  // namespace capstan::api
