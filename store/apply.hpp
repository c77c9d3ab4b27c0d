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

// Whether each append (a group of records committed together) would apply after the state
// and the appends before it: the objects a record changes, deletes or binds must exist at that
// point (creations and endpoints changes need nothing). Returns one entry per append: empty
// when it applies, else why not; a refused append's records are not counted for later ones.
// This is what the journal writer asks before making anything durable, so that a record that
// could never apply (two writers deleting one object, say) is refused instead of journaled.
std::vector<std::string> check_appends(
    const cluster_state& state, const std::vector<const std::vector<journal_record>*>& appends);

// Inserts one snapshot object into its table (quickest when objects come in key order, as a
// snapshot has them).
void load_object(cluster_state& state, any_object&& object);
// load_object's insertion alone, for an object whose parts were already shared through
// state.sharing (a loader that shares on another thread; the snapshot's loader shares on its
// inserting thread and calls load_object).
void insert_shared_object(cluster_state& state, any_object&& object);
// Inserts snapshot objects into an empty state at `seq`.
void load_objects(cluster_state& state, uint64_t seq, std::vector<any_object>&& objects);

}  // namespace capstan::store
