// C-Raft's state-machine callbacks (struct raft_fsm) over a replicated_state_machine: used by
// the libuv engine (store/raft_log.hpp) and by in-process simulations (raft_fixture).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "store/replicated_log.hpp"

struct raft;
struct raft_fsm;
struct raft_buffer;

namespace capstan::store {

// How an entry is stored in the Raft log: LZ4-compressed (C-Raft 0.15 writes about 90 MB/s
// here with its direct, synchronous writes, against several hundred for the journal's own
// append + fdatasync; capnp records shrink 3-5 times) and padded to C-Raft's 8-byte words.
// "CLZ4", the entry's size and the compressed size (8 bytes each, little-endian), the block.
std::string pack_raft_entry(std::string_view entry);
// The entry packed in `stored`; bytes that are no packed entry are handed on as they are (the
// state machine then refuses them, the same way on every member). Throws std::length_error when
// the stated size passes `max_entry_bytes`.
std::string unpack_raft_entry(std::string_view stored);
constexpr std::size_t max_entry_bytes = 256u << 20;

class raft_fsm_adapter {
public:
  explicit raft_fsm_adapter(replicated_state_machine& machine);
  ~raft_fsm_adapter();
  raft_fsm_adapter(const raft_fsm_adapter&) = delete;
  raft_fsm_adapter& operator=(const raft_fsm_adapter&) = delete;

  // What to hand raft_init or raft_fixture_grow.
  raft_fsm* fsm() { return fsm_.get(); }
  // The raft instance applying through it, once initialised: an entry's index is the one after
  // its last applied index (C-Raft advances it after each apply).
  void bind(struct raft* r) { raft_ = r; }
  // Why the machine last refused an entry or a snapshot; empty when it has not.
  const std::string& last_error() const { return last_error_; }
  // How the machine fetches what a snapshot stands for and it lacks (from the other members),
  // and for how long a restore keeps trying (blocking the engine's thread) before it gives up.
  // Unset (a cluster of one): a snapshot ahead of the machine fails the restore at once.
  void set_peer_fetch(replicated_state_machine::peer_fetch fetch,
                      std::chrono::milliseconds budget) {
    fetch_ = std::move(fetch);
    catch_up_budget_ = budget;
  }
  // Once the engine runs, a snapshot the machine cannot restore (no member gave what it lacks
  // within the budget) stops the process (exit status 70, after saying why on stderr): the
  // engine has already given up its log for it. Before (at start), the restore fails and the
  // start with it.
  void set_running() { running_ = true; }
  // Keeps `total` at the bytes of the entries C-Raft holds in memory, as far as this adapter
  // sees them: each entry applied counts until a snapshot at least `trailing` entries past it
  // (C-Raft then frees it) or a snapshot restored. Set before the engine starts; `total` must
  // outlive the engine. Read `total` from any thread.
  void count_held_entries(std::atomic<uint64_t>* total, unsigned trailing) {
    held_total_ = total;
    trailing_ = trailing;
  }

private:
  static int apply(raft_fsm* fsm, const ::raft_buffer* buf, void** result);
  static int snapshot(raft_fsm* fsm, ::raft_buffer* bufs[], unsigned* n);
  static int restore(raft_fsm* fsm, ::raft_buffer* buf);
  // Has the machine restore the snapshot, fetching through fetch_ and trying again for up to
  // catch_up_budget_. Returns empty or why it could not.
  std::string catch_up(uint64_t index, std::string_view data);

  replicated_state_machine& machine_;
  std::unique_ptr<raft_fsm> fsm_;
  struct raft* raft_ = nullptr;
  std::string last_error_;
  replicated_state_machine::peer_fetch fetch_;
  std::chrono::milliseconds catch_up_budget_{0};
  bool running_ = false;
  // count_held_entries: (index, bytes) of the entries counted, oldest first; engine's thread.
  std::deque<std::pair<uint64_t, std::size_t>> held_;
  std::atomic<uint64_t>* held_total_ = nullptr;
  unsigned trailing_ = 0;
  void hold(uint64_t index, std::size_t bytes);
  void release_through(uint64_t index);
};

}  // namespace capstan::store
