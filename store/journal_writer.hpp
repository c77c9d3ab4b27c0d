// Group commit: many concurrent writers share one WriteBatch and one sync; committed records
// are then published, in sequence order, to subscribers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/event_log.hpp"
#include "store/journal_state_machine.hpp"
#include "store/replicated_log.hpp"

namespace capstan::store {

// The outcome of one append: the sequence numbers its records received, or an error.
struct append_result {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

struct journal_writer_stats {
  uint64_t batches = 0;  // synced WriteBatches
  uint64_t records = 0;
  uint64_t bytes = 0;
};

// What the journal holds in memory (estimates, in bytes): RocksDB's caches and buffers, and the
// entries the replicated log keeps for members that lag.
struct journal_memory {
  event_log::memory_use log;
  uint64_t replicated_entries = 0;
  uint64_t total() const {
    return log.memtables + log.block_cache + log.table_readers + replicated_entries;
  }
};

// Owns a commit thread in front of an event_log. Appends submitted while a sync is running
// are collected and written together as the next batch. A completion runs only after its
// records are durable and after every subscriber has received them; completions run on the
// commit thread in sequence order and must not block.
//
// Replicated (the master's form): each batch is proposed to a replicated log as one entry and
// is durable once a majority holds it; every member's journal_state_machine applies committed
// entries to its event_log, and the commit thread hands them to subscribers, the leader's own
// batches and the entries other members proposed alike. Local (tools, tests): each batch is
// written to the event_log and synced there. After a write error (a full disk, say)
// the writer refuses every append at once with that error, and tries every `retry_every` to
// make the log writable again (event_log::recover); once it is, appends are taken again, with
// no restart.
class journal_writer {
public:
  using completion = std::function<void(const append_result&)>;
  using each_completion = std::function<void(std::vector<append_result>)>;
  // Receives every committed record exactly once, in order, on the commit thread.
  using subscriber = std::function<void(const std::vector<journal_record>&)>;
  // Asked on the commit thread before a batch is written: one entry per append, empty when
  // the append may be journaled, else the reason it is refused (see store::check_appends).
  using checker = std::function<std::vector<std::string>(
      const std::vector<const std::vector<journal_record>*>&)>;

  // `max_batch_records` bounds one WriteBatch, and so the latency added to any one append.
  explicit journal_writer(event_log& log, std::size_t max_batch_records = 20000,
                          std::chrono::milliseconds retry_every = std::chrono::seconds(1));
  // Replicated: starts `engine` on this journal (entries committed but not yet applied are
  // applied now). `log` should be opened with `sync` off: the engine's log is the write-ahead
  // log. Appends are taken while this member leads. Throws store_error.
  journal_writer(event_log& log, std::unique_ptr<replicated_log> engine,
                 std::size_t max_batch_records = 20000,
                 std::chrono::milliseconds retry_every = std::chrono::seconds(1));
  // Commits everything already submitted, then stops the thread.
  ~journal_writer();
  journal_writer(const journal_writer&) = delete;
  journal_writer& operator=(const journal_writer&) = delete;

  // Submits records for commit; `done` is called once they are durable or have failed.
  void append(std::vector<journal_record> records, completion done);
  // Submits each record as an append of its own (checked, accepted or refused on its own, but
  // queued together); `done` is called once with one result per record, in order, when the
  // last of them is durable or has failed.
  void append_each(std::vector<journal_record> records, each_completion done);
  // Blocking form for threads that may wait (tools, tests); never call it from an actor.
  append_result append(std::vector<journal_record> records);

  // Delivers records with seq >= from: first those already in the log, then each committed
  // batch as it commits, with no gap and no repetition. Returns an id for unsubscribe.
  uint64_t subscribe(uint64_t from, subscriber s);
  void unsubscribe(uint64_t id);

  // Installs the pre-write check; call before the first append.
  void set_checker(checker check) { check_ = std::move(check); }

  // Why appends are refused now; empty while the journal takes them.
  std::string failure() const;
  journal_writer_stats stats() const;
  journal_memory memory() const;
  // The sequence number of the newest record handed to subscribers.
  uint64_t last_seq() const;
  // Replicated: blocks (never on an actor's thread) until this member leads and has applied
  // everything committed before, or `timeout` passes; true when it leads. Local: true.
  bool wait_until_leading(std::chrono::milliseconds timeout);
  // Replicated: whether this member leads now. Local: true.
  bool leading() const { return !engine_ || engine_->leading(); }
  // Replicated: the term of this member's lead now (0: it does not lead). Local: 1.
  uint64_t leading_term() const { return engine_ ? engine_->leading_term() : 1; }
  // Replicated: the members and the leader as this member sees them (never blocks). Local:
  // none.
  replicated_membership membership() const {
    return engine_ ? engine_->membership() : replicated_membership{};
  }

private:
  struct pending_append {
    std::vector<journal_record> records;
    completion done;
  };
  // The records of one applied entry, waiting for the commit thread to hand them on.
  struct applied_entry {
    uint64_t index;
    std::vector<journal_record> records;
  };
  struct subscription {
    uint64_t id;
    uint64_t from;
    subscriber deliver;
  };

  void run();
  void commit(std::deque<pending_append>& batch);
  // Writes the records of an accepted batch and returns its first sequence number; throws
  // store_error (or returns the proposal's refusal in `refused`) when they were not written.
  uint64_t write_local(std::vector<journal_record>& records);
  uint64_t write_replicated(std::vector<journal_record>& records, std::string& refused);
  // Hands the records applied so far to the subscribers (commit thread). Returns the first
  // sequence number of the entry `index`, when it was among them and held records.
  uint64_t deliver_applied(uint64_t index = 0);
  void deliver(const std::vector<journal_record>& records);
  void attach_new_subscribers();
  // Commit thread, while failed: event_log::recover; true once appends may go on.
  bool try_recover();

  event_log& log_;
  std::unique_ptr<journal_state_machine> machine_;  // replicated only
  std::unique_ptr<replicated_log> engine_;          // replicated only
  const std::size_t max_batch_records_;
  const std::chrono::milliseconds retry_every_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending_append> queue_;
  std::deque<applied_entry> applied_;  // guarded by mutex_: from the engine's thread
  std::vector<subscription> joining_;  // guarded by mutex_; attached by the commit thread
  std::vector<subscription> live_;     // commit thread only
  std::vector<uint64_t> leaving_;      // guarded by mutex_
  uint64_t next_subscription_ = 1;
  bool stopping_ = false;
  bool starting_ = true;  // guarded by mutex_: while the engine starts (replicated)
  std::string failure_;         // the write error until recovered, guarded by mutex_
  journal_writer_stats stats_;  // guarded by mutex_
  uint64_t last_seq_;           // guarded by mutex_: the newest record delivered
  checker check_;               // set before use, then read by the commit thread only
  std::thread thread_;
};

}  // namespace capstan::store
