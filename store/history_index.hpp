// What the history pages ask of the journal, answered without reading it through: the records
// about one object, the records one cause (a user, a controller, a node) made, the creations and
// deletions of objects by name (deleted objects included), and every record's time and sort of
// cause (the timeline). Only sequence numbers are kept; the records themselves stay in the
// journal and are read by number.
//
// Kept in memory (about 25 bytes a record, plus about 190 bytes an object for its name and its
// list, and each cause's name once; 263 MiB for 1,000,000 pods' 3,000,000 records): built from
// the journal in one pass on a thread of its own when the master starts (`build`), while each
// committed batch is fed to `add`; it answers once the pass is done (`ready`).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "messages/domain_event.hpp"

namespace capstan::store {

// Who made a record, as the timeline colours it: a user (any name not under "system:"), a
// node's agent ("system:node:NAME"), or the control plane's own controllers ("system:...").
enum class cause_class : uint8_t { users = 0, controllers = 1, nodes = 2 };
cause_class classify_cause(std::string_view cause);

// Newest-last sequence numbers and whether older ones matched too but were left out.
struct seq_page {
  std::vector<uint64_t> seqs;
  bool more = false;
};

// Records per interval of time (the timeline's bars).
struct time_bucket {
  int64_t start_nanos = 0;
  uint64_t first_seq = 0, last_seq = 0;  // 0, 0 when no record fell in it
  std::array<uint64_t, 3> counts{};      // by cause_class
};

class event_log;

// Thread-safety: `build` on one thread, `add` on one other (the journal's commit thread), queries
// on any thread.
class history_index {
public:
  // Reads the journal's records 1..`to` into the index, then the batches `add` was given
  // meanwhile, and makes the index ready. Throws store_error as event_log::read does; the index
  // then stays unready and `add` keeps nothing. Returns early (unready) once `stop` is called.
  void build(const event_log& log, uint64_t to);
  // Ends a `build` under way soon (from any thread).
  void stop() { stopping_ = true; }
  // Committed records in sequence order, each following the last one added; records already
  // added are skipped, so feeding a batch twice changes nothing. Before `build` is done they
  // wait for it.
  void add(const std::vector<messages::journal_record>& records);
  // Whether `build` is done: until then the queries below know only part of the journal.
  bool ready() const;
  uint64_t last_seq() const;

  // The newest `limit` records with from <= seq <= to about the object; about `cause`; that
  // created, asked to delete or deleted an object whose name contains `name_part` (of `kind`,
  // when given).
  seq_page object_records(messages::object_kind kind, const std::string& namespace_,
                          const std::string& name, uint64_t from, uint64_t to,
                          std::size_t limit) const;
  seq_page cause_records(const std::string& cause, uint64_t from, uint64_t to,
                         std::size_t limit) const;
  seq_page lifecycle_records(std::string_view name_part,
                             std::optional<messages::object_kind> kind, uint64_t from, uint64_t to,
                             std::size_t limit) const;
  // The same for the objects of `kind` in `namespace_` whose name starts with `name_prefix`
  // (an RC's pods): found in the ordered names, without walking every object.
  seq_page lifecycle_records_by_prefix(messages::object_kind kind, const std::string& namespace_,
                                       const std::string& name_prefix, uint64_t from,
                                       uint64_t to, std::size_t limit) const;

  // `count` equal intervals of time from the record `from` to the record `to` (both included).
  std::vector<time_bucket> timeline(uint64_t from, uint64_t to, std::size_t count) const;
  // The last record committed at or before `nanos` (0 when none was).
  uint64_t seq_at_time(int64_t nanos) const;
  // When record `seq` was committed (0 when the index does not have it).
  int64_t time_of(uint64_t seq) const;

private:
  // What the index keeps of a record.
  struct record_facts {
    uint64_t seq = 0;
    int64_t time_nanos = 0;
    messages::object_kind kind{};
    std::string namespace_, name, cause;
    bool lifecycle = false;
  };
  static record_facts facts_of(const messages::journal_record& record);
  // Every record about one object, in order, each as seq * 2 + 1 when it created, asked to
  // delete or deleted the object (a lifecycle record), seq * 2 otherwise: one list, one block.
  using object_records_entry = std::vector<uint64_t>;
  static uint64_t entry_of(uint64_t seq, bool lifecycle) { return seq * 2 + (lifecycle ? 1 : 0); }
  static std::string object_id(messages::object_kind kind, std::string_view namespace_,
                               std::string_view name);
  void add_locked(const record_facts& record);

  mutable std::shared_mutex mutex_;
  std::atomic<bool> stopping_{false};
  bool ready_ = false;
  bool failed_ = false;  // the build failed or was stopped: `add` keeps nothing
  std::vector<record_facts> waiting_;  // given to `add` before `build` was done
  uint64_t first_seq_ = 0;      // the seq of times_[0] (0: empty)
  std::vector<int64_t> times_;  // by seq - first_seq_
  std::vector<uint8_t> classes_;
  // By object_id, in order (an RC's pods are a range of it). One ordered map rather than a hash
  // map beside an ordered index: a lookup costs about 20 comparisons of short strings at a
  // million objects, and an object 100 bytes less.
  std::map<std::string, object_records_entry, std::less<>> objects_;
  std::unordered_map<std::string, std::vector<uint64_t>> causes_;
};

}  // namespace capstan::store
