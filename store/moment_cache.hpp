// Past moments of the cluster, rebuilt one at a time, with the last one kept a while: the
// console's slider moving forward, a second request at the same moment, or a watch from a
// recent resourceVersion then replays only the records since it instead of loading a snapshot
// of every object again.
//
// Memory: at most one rebuilt state is held (besides the one being dropped), whatever the
// number of clients: requests for past moments wait for each other, each a bounded time (else
// moments_busy). Few of those that need a rebuild may wait (else moments_busy at once), so that
// they never hold many of the API's handler threads; those the kept moment answers quickly (at
// most quick_replay_records after it: watches from a recent resourceVersion, a burst of them
// after a restart) wait their turn however many they are. The kept state is dropped after `keep_for` to twice that
// unused, and when a moment before it is asked for.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/cluster_state.hpp"

namespace capstan::store {

class event_log;

// How a moment was rebuilt (for tests and benchmarks).
struct moment_stats {
  uint64_t start_seq = 0;         // the state replayed from: a snapshot's, the kept one's, or 0
  bool from_kept = false;         // the kept moment was moved forward
  uint64_t replayed_records = 0;  // records applied after start_seq
};

// Too many past moments asked at once: the caller should answer "try again later".
struct moments_busy : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class moment_cache {
public:
  static constexpr uint64_t quick_replay_records = 10000;

  // Callers beyond the one at work: at most `max_waiting` wait, each at most `max_wait`.
  moment_cache(const event_log& log, std::chrono::milliseconds keep_for,
               std::size_t max_waiting = 2,
               std::chrono::milliseconds max_wait = std::chrono::seconds(5));
  ~moment_cache();
  moment_cache(const moment_cache&) = delete;
  moment_cache& operator=(const moment_cache&) = delete;

  // Calls `use` with the state right after record `seq` (at most the journal's last record,
  // else store_error), on the calling thread, while no other moment is rebuilt or used. The
  // state is the kept one when it is at or before `seq` and no snapshot lies between; else it
  // is rebuilt from the newest snapshot at or before `seq` (store/restore.hpp's state_at).
  // Throws store_error as the journal's reads do (the kept moment is then dropped), and
  // moments_busy when `max_waiting` callers wait already or the wait passes `max_wait`. `use`
  // must not ask for a moment itself (it would wait for itself).
  void with_state_at(uint64_t seq, const std::function<void(const cluster_state&)>& use,
                     moment_stats* stats = nullptr);

  // The sequence number of the kept moment (0 when none is kept): for tests.
  uint64_t kept_seq() const;

private:
  void forget_when_idle();  // the dropping thread's loop
  // Whether the kept moment, as it is now, answers `seq` with a short replay (no lock taken).
  bool quick(uint64_t seq) const;

  const event_log& log_;
  const std::chrono::milliseconds keep_for_;
  const std::size_t max_waiting_;
  const std::chrono::milliseconds max_wait_;
  std::atomic<std::size_t> waiting_{0};
  mutable std::timed_mutex use_;  // one moment rebuilt or used at a time; guards kept_
  std::unique_ptr<cluster_state> kept_;
  std::atomic<uint64_t> kept_at_{0};  // kept_'s seq (0: none), read without the lock
  std::chrono::steady_clock::time_point last_used_;

  // States to free, and the idle check, on a thread of their own: freeing 150,000 objects
  // takes a quarter of a second that no request should wait for.
  mutable std::mutex drop_mutex_;
  std::condition_variable drop_wake_;
  std::vector<std::unique_ptr<cluster_state>> to_free_;
  bool stopping_ = false;
  std::thread dropper_;
};

}  // namespace capstan::store
