// One actor per object: its commands are checked (object_rules.hpp) and journaled here, one at
// a time. The registry's batches (registry.hpp) check with the same rules and never overlap this
// actor: a batch command for an object with an actor goes through the actor, and commands for
// an object whose batch record is in flight wait for it; the journal's pre-write check remains
// the safety net for what the read model had not shown yet. It holds no copy of the object: the
// read model has it, current as of every acknowledged append (the read model applies a batch
// before its appends are acknowledged).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// Terminates itself after a successful delete.
object_actor spawn_object_actor(caf::actor_system& system, object_kind kind, object_key key,
                                const read_model& model, journal_actor journal,
                                allocator_actor allocator);

}  // namespace capstan::actors
