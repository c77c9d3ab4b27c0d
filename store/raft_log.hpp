// The replicated log on C-Raft (libraft, store/replicated_log.hpp): its disk log in a directory
// of its own, its libuv loop on a thread of its own (never on CAF's scheduler). Everything that
// touches raft runs on that thread; other threads hand work in through an async handle.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "store/raft_tls_transport.hpp"
#include "store/replicated_log.hpp"

namespace capstan::store {

struct raft_log_config {
  // Holds the Raft log (segments, metadata, snapshots); created 0700 when missing.
  std::string directory;
  uint64_t member_id = 1;
  // Where the other members reach this one ("IP:PORT"); with `tls`, also where it listens
  // unless tls->bind_address says otherwise.
  std::string address = "127.0.0.1:0";
  // How members talk: over mutual TLS (store/raft_tls_transport.hpp); without it, a member
  // talks to no other (a cluster of one) and opens no port.
  std::optional<raft_tls_config> tls;
  // A member whose Raft log does not exist yet: true, it starts a new cluster of itself alone;
  // false, it waits to be added by the leader of an existing one (add_member there).
  bool bootstrap = true;
  // The voters of the new cluster a bootstrapping member starts (each member given the same
  // list, as etcd's --initial-cluster); empty: this member alone.
  std::vector<replicated_member> initial_members;
  std::chrono::milliseconds heartbeat{100};
  std::chrono::milliseconds election_timeout{1000};
  // A snapshot (the journal made durable, the log truncated) after this many applied entries,
  // keeping this many behind it for members that lag. A snapshot stalls the log for a few
  // milliseconds (files written and synced): at 128 entries, a lone writer lost half its
  // appends/s (journal_bench); at 1024, 15 %. The log then holds at most ~2048 entries,
  // compressed (a group commit of 160 pod records is ~40 KB).
  unsigned snapshot_threshold = 1024;
  unsigned snapshot_trailing = 1024;
};

class raft_log : public replicated_log {
public:
  // Nothing starts before start(). A member that has no Raft log yet bootstraps a cluster of
  // itself alone.
  explicit raft_log(raft_log_config config);
  // Stops the engine: proposals not yet committed fail (outcome unknown: C-Raft answers them
  // "leadership lost"); joins the thread.
  ~raft_log() override;
  raft_log(const raft_log&) = delete;
  raft_log& operator=(const raft_log&) = delete;

  void start(replicated_state_machine& machine) override;
  bool wait_until_leading(std::chrono::milliseconds timeout) override;
  bool leading() const override { return leading_.load(); }
  uint64_t held_entry_bytes() const override;
  uint64_t leading_term() const override {
    uint64_t term = leading_term_.load();
    return leading_.load() ? term : 0;
  }
  void propose(std::string entry, proposal_done done) override;
  void retry_apply() override;
  // Idempotent: a member present as a voter at `address` is answered done at once; present
  // but not yet a voter (its promotion failed: it was not caught up in time), it is promoted.
  // Another member at `address`, or `id` at another address: refused, nothing changed.
  void add_member(uint64_t id, std::string address, membership_done done) override;
  void remove_member(uint64_t id, membership_done done) override;
  replicated_membership membership() const override;

private:
  struct engine;  // C-Raft's and libuv's structures, touched on the loop's thread only
  struct membership_change;

  // Runs `start` on the loop's thread for member `id`; its non-zero result (a C-Raft error), or
  // the engine stopping, answers `done` at once, else C-Raft's callback does.
  void change_membership(uint64_t id, membership_done done,
                         std::function<int(membership_change&)> start);

  // The machine's peer_fetch (loop's thread): from the leader, else from each other member
  // known (the configuration, else the members file, else initial_members), in turn, until one
  // answers; a member that sent part of it and failed ends the attempt (the next one starts
  // from what came, asking another member first).
  std::string members_file() const { return config_.directory + "/capstan-members"; }
  std::string fetch_from_members(uint64_t from, uint64_t to,
                                 const std::function<std::string(std::string_view)>& take);
  // Runs `task` on the loop's thread; false (not run) once the engine stops.
  bool post(std::function<void()> task);
  void run_loop(std::promise<std::string>* started);
  void run_posted();
  void watch_leadership();
  // Refreshes what membership() returns from the engine's configuration (the loop's thread):
  // every 10 ms, and before a membership change is answered, so that its caller reads it.
  void publish_membership();
  void close_engine();

  raft_log_config config_;
  std::unique_ptr<engine> engine_;
  replicated_state_machine* machine_ = nullptr;
  std::atomic<bool> leading_{false};
  std::atomic<uint64_t> leading_term_{0};  // the term of the last lead taken
  std::atomic<uint64_t> held_entry_bytes_{0};  // counted by the engine's fsm adapter
  mutable std::mutex mutex_;
  std::condition_variable leading_changed_;
  replicated_membership membership_;          // guarded by mutex_
  std::deque<std::function<void()>> posted_;  // guarded by mutex_
  bool closing_ = false;                      // guarded by mutex_
  std::thread thread_;
};

}  // namespace capstan::store
