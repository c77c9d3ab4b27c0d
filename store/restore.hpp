// Rebuilding state from the journal: newest snapshot + replay of the tail, or any point in
// history from the newest snapshot before it (or from genesis) + replay (audit, time travel).
#pragma once

#include "store/apply.hpp"

namespace capstan::store {

struct restore_stats {
  uint64_t snapshot_seq = 0;  // 0 when no snapshot was used
  std::size_t snapshot_objects = 0;
  uint64_t replayed_records = 0;
  double seconds = 0;
};

// Loads the snapshot `manifest` names into the empty `state` (its objects straight into their
// tables, in key order) and sets state.seq to its sequence number. Throws store_error when a
// chunk is missing or corrupt or the objects are not as many as the manifest says (the objects
// before are loaded). The snapshot's chunks are read and decoded on up to 4 threads of their own
// (one a core) while this one loads (store/read_ahead_parts.hpp); the tail of replay_to,
// restore and state_at on one (store/read_ahead.hpp), which hands records it has no time to
// decode to the applying thread. The decoding threads of one call share a decode memo
// (messages/decode_memo.hpp): lists alike in many objects (a template's containers) are
// decoded once and held as one block.

void load_snapshot(cluster_state& state, const event_log& log,
                   const messages::snapshot_manifest& manifest);

// Applies records state.seq + 1 .. `to` to `state`; returns how many. Throws store_error when
// one is missing or corrupt (the records before it are applied).
uint64_t replay_to(cluster_state& state, const event_log& log, uint64_t to);

// The state after the newest record: the newest snapshot, then every later record applied.
cluster_state restore(const event_log& log, restore_stats* stats = nullptr);

// The state right after record `seq`: the newest snapshot at or before it, then the records
// up to `seq` applied (from the first record when no snapshot is that old).
cluster_state state_at(const event_log& log, uint64_t seq);

// Writes a snapshot of `state` (at state.seq), keeping the newest `keep` snapshots (this one
// counted): the older ones kept make past moments quicker to rebuild.
void write_snapshot(event_log& log, const cluster_state& state, std::size_t keep = 2);

}  // namespace capstan::store
