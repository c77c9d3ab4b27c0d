// The one place where state changes: apply(state, record). Used by the live master, by
// restart (snapshot + replay) and by the audit tools, so all three agree by construction.
#pragma once

#include "store/cluster_state.hpp"
#include "store/event_log.hpp"

namespace capstan::store {

// Applies `record` to `state`: the object's resourceVersion becomes the record's sequence
// number and state.seq advances to it. Deterministic: depends only on state and record
// (times come from the record). Throws store_error when the record cannot apply (its
// sequence number is not state.seq + 1, or it changes an object that does not exist); the
// state is then unchanged.
void apply(cluster_state& state, const journal_record& record);
// The same, moving objects out of `record` instead of copying them (replay, restore).
void apply(cluster_state& state, journal_record&& record);

// Inserts snapshot objects into an empty state at `seq`.
void load_objects(cluster_state& state, uint64_t seq, std::vector<any_object>&& objects);

}  // namespace capstan::store
