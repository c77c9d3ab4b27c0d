// A snapshot encoded by a child process, as Redis's BGSAVE does: fork() gives the child a
// copy-on-write image of the state as it was at that instant, so the caller holds its lock on
// the state only while fork() copies the page tables (milliseconds), not while a copy of the
// state is made (a second state, seconds and gigabytes at a million pods) nor while the
// snapshot is encoded. The child encodes the chunks and sends them down a pipe; the parent
// writes them (event_log::write_snapshot). Memory beyond the state: the pages the parent
// changes while the child runs, and one chunk in each process.
//
// The child does nothing but allocate (glibc's malloc is safe after fork), encode (Cap'n Proto)
// and write(2): no lock another thread may have held at fork, no OpenSSL (Secrets are sealed in
// the parent before the fork), no RocksDB, no file descriptor but its pipe's end. It dies with
// the parent (PR_SET_PDEATHSIG) and is killed and reaped when the snapshot is abandoned; its
// exit is collected through the process's one reaper (common/process.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "store/cluster_state.hpp"
#include "store/event_log.hpp"

namespace capstan::store {

// fork() itself failed (no memory for the page tables under strict overcommit, a process
// limit): nothing was started.
struct snapshot_fork_error : store_error {
  using store_error::store_error;
};

// What the child reports at its end.
struct snapshot_process_stats {
  // Memory the child holds alone at its end (Private_Dirty + Private_Clean of
  // /proc/self/smaps_rollup): the pages the parent changed meanwhile, plus the child's own.
  uint64_t private_bytes = 0;
  double child_seconds = 0;  // from fork to the last chunk sent
  // Filled by write_snapshot_in_child: how long the caller's lock was held (sealing the
  // Secrets and fork), and the whole snapshot, written and durable.
  double pause_seconds = 0;
  double seconds = 0;
  // false: the state was copied under the lock and written in-process instead, under
  // AddressSanitizer or when fork() failed.
  bool forked = true;
  uint64_t objects = 0;  // in the snapshot
};

class snapshot_process {
public:
  // Forks the child. Call it with `state` unchanging (under the caller's lock) and release the
  // lock when it returns. Secrets are sealed here, with `log`'s key. Throws store_error.
  snapshot_process(const event_log& log, const cluster_state& state);
  // Kills and reaps the child if it still runs.
  ~snapshot_process();
  snapshot_process(const snapshot_process&) = delete;
  snapshot_process& operator=(const snapshot_process&) = delete;

  uint64_t seq() const { return seq_; }
  uint64_t object_count() const { return object_count_; }
  pid_t pid() const { return child_; }  // -1 once reaped
  // The next encoded chunk; nullopt after the last, once the child has said it sent them all
  // and exited with 0. Throws store_error when the child failed, died or sent nonsense.
  std::optional<std::string> next_chunk();
  // After next_chunk returned nullopt.
  const snapshot_process_stats& stats() const { return stats_; }

private:
  void read_exactly(char* into, std::size_t size);
  // Collects the exit of a child that ended its output; throws unless it exited with 0.
  void reap_and_check();
  // Kills and collects the child, then throws store_error(why).
  [[noreturn]] void fail(const std::string& why);

  uint64_t seq_ = 0;
  uint64_t object_count_ = 0;
  pid_t child_ = -1;
  int from_child_ = -1;
  bool ended_ = false;
  snapshot_process_stats stats_;
};

// Writes a snapshot of the state through a snapshot_process: `with_state` must call its
// argument with the state under the caller's lock (read_model::read), which is held only while
// the process starts. Returns the snapshot's seq. Throws store_error.
uint64_t write_snapshot_in_child(
    event_log& log,
    const std::function<void(const std::function<void(const cluster_state&)>&)>& with_state,
    std::size_t keep, snapshot_process_stats* stats = nullptr);

}  // namespace capstan::store
