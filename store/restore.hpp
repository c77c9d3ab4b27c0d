// Rebuilding state from the journal: newest snapshot + replay of the tail, or any point in
// history by replay from genesis (audit).
#pragma once

#include "store/apply.hpp"

namespace capstan::store {

struct restore_stats {
  uint64_t snapshot_seq = 0;  // 0 when no snapshot was used
  std::size_t snapshot_objects = 0;
  uint64_t replayed_records = 0;
  double seconds = 0;
};

// The state after the newest record: the newest snapshot, then every later record applied.
cluster_state restore(const event_log& log, restore_stats* stats = nullptr);

// The state right after record `seq`, replayed from the first record (snapshots are not
// used, so this works for any point in the retained history).
cluster_state state_at(const event_log& log, uint64_t seq);

// Writes a snapshot of `state` (at state.seq).
void write_snapshot(event_log& log, const cluster_state& state);

}  // namespace capstan::store
