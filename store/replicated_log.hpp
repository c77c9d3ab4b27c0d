// The consensus engine under the journal, behind one small interface so that the engine (C-Raft
// today: store/raft_log.hpp) could be swapped: an ordered log of opaque entries that a majority
// of members holds durably before any member applies them, applied in the same order everywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace capstan::store {

// What the engine applies committed entries to. Called on the engine's own thread only, one
// call at a time.
class replicated_state_machine {
public:
  virtual ~replicated_state_machine() = default;
  // Applies the committed entry at `index` (increasing; the engine's own entries, barriers and
  // membership changes, take indexes too, so there may be holes). An index at or below
  // applied_index() was applied before a restart and must be skipped. Returns empty when
  // applied, else why not (a full disk): the engine then stops applying and tries this entry
  // again after retry_apply(). An entry that can never be applied (undecodable) must be
  // skipped, the same way on every member, not refused.
  virtual std::string apply(uint64_t index, std::string_view entry) = 0;
  // The index of the last entry applied and durable enough that the engine may forget it once
  // make_durable() returned.
  virtual uint64_t applied_index() const = 0;
  // Makes everything applied so far durable; the engine calls it before it truncates its log
  // (a snapshot). Returns empty or why it could not.
  virtual std::string make_durable() = 0;
  // Called by start() when the engine's log is new (created now): nothing the machine holds
  // came from it, so its applied index starts again from 0.
  virtual void begin_new_log() = 0;

  // Snapshots carry no state, only where the machine stood: a member whose machine lags behind
  // a snapshot (restarted after the others moved on, or added to a running cluster) fetches
  // what it lacks from another member, which reads it from its own machine.
  //
  // What the engine stores in a snapshot beside applied_index(), taken after make_durable().
  virtual std::string snapshot_data() const { return ""; }
  // Fetches the machine's positions `from` to `to` (inclusive) from another member, handing
  // each chunk (read_for_peer's answer there) to `take`, which returns empty or why it refuses
  // the chunk. Returns empty once every position came, else why not (nothing is retried).
  using peer_fetch = std::function<std::string(
      uint64_t from, uint64_t to, const std::function<std::string(std::string_view)>& take)>;
  // The engine installs a snapshot standing for the entries up to `index`, whose snapshot_data()
  // was `data` on the member that took it. Returns empty once this machine holds everything up
  // to `index`, `applied_index()` then being `index` (fetching what it lacks through `fetch`),
  // else why not; a later call goes on from what an earlier one fetched.
  virtual std::string restore_snapshot(uint64_t index, std::string_view data,
                                       const peer_fetch& fetch) {
    (void)data;
    (void)fetch;
    if (applied_index() >= index)
      return "";
    return "the machine has applied entries up to " + std::to_string(applied_index()) +
           " but the snapshot stands for entries up to " + std::to_string(index) +
           ", and it cannot fetch what it lacks";
  }
  // Another member's fetch: the encoded positions from `next` on, up to `to`, about `budget`
  // bytes (at least one position when there is one); `next` is advanced past them. Empty when
  // the machine holds nothing from `next` on. Called on another thread than apply.
  virtual std::string read_for_peer(uint64_t& next, uint64_t to, std::size_t budget) const {
    (void)next;
    (void)to;
    (void)budget;
    return "";
  }
};

// A member of the replicated log's cluster, as its configuration lists it.
struct replicated_member {
  uint64_t id = 0;
  std::string address;
  bool voter = false;  // votes and counts toward the majority (else it is catching up)
};

// The configuration as this member knows it, and who it believes leads (0: nobody known).
struct replicated_membership {
  std::vector<replicated_member> members;
  uint64_t leader_id = 0;
  std::string leader_address;
  // The members this one has a Raft connection with now, either way, and itself. A member cut
  // off may still look reachable for up to ~15 s (TCP's timeout on unacknowledged data).
  std::set<uint64_t> reachable;
};

class replicated_log {
public:
  // `error` is empty once the entry is committed and applied on this member (its `index`),
  // else why it was not: this member does not lead, the engine stops, its disk failed. After
  // "leadership lost" the entry may still be committed by the next leader: the error says so.
  using proposal_done = std::function<void(const std::string& error, uint64_t index)>;

  virtual ~replicated_log() = default;
  // Starts the engine on `machine` (which must outlive it): the log on disk is read, entries
  // committed but not yet applied are applied. Throws store_error.
  virtual void start(replicated_state_machine& machine) = 0;
  // Blocks (not on an actor's thread) until this member leads and has applied every entry
  // committed before its term, or `timeout` passes. True when it leads.
  virtual bool wait_until_leading(std::chrono::milliseconds timeout) = 0;
  // Whether this member leads now (and has applied what came before its term).
  virtual bool leading() const = 0;
  // The term in which this member leads now, 0 when it does not: a lead lost and taken again
  // (in a later term) shows as a new value even where leading() never read false.
  virtual uint64_t leading_term() const { return leading() ? 1 : 0; }
  // Bytes of entries the engine keeps in memory (an estimate; 0 when it keeps none).
  virtual uint64_t held_entry_bytes() const { return 0; }
  // Proposes one entry; any thread. The entry may be applied with up to 7 zero bytes
  // appended (C-Raft stores 8-byte words): its format must tell its own end. `done` runs on the engine's thread and must not block.
  virtual void propose(std::string entry, proposal_done done) = 0;
  // After the state machine refused an entry (and the cause is gone): applies it again.
  virtual void retry_apply() = 0;

  // `error` is empty once the configuration change is committed, else why it was not.
  using membership_done = std::function<void(const std::string& error)>;
  // On the leader: adds member `id`, reachable at `address`, and makes it a voter once it has
  // caught up with the log. `done` runs on the engine's thread and must not block.
  virtual void add_member(uint64_t id, std::string address, membership_done done) = 0;
  // On the leader: removes member `id` (itself included: it then steps down).
  virtual void remove_member(uint64_t id, membership_done done) = 0;
  // The configuration and leader as this member last saw them (refreshed every ~10 ms; never
  // blocks).
  virtual replicated_membership membership() const = 0;
};

}  // namespace capstan::store
