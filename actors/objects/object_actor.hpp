// One actor per object: the single place its commands are checked and journaled, one at a
// time. It holds no copy of the object: the read model has it, current as of every
// acknowledged append (the read model applies a batch before its appends are acknowledged).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// object_command -> command_reply. Terminates itself after a successful delete.
caf::actor spawn_object_actor(caf::actor_system& system, object_kind kind, object_key key,
                              const read_model& model, caf::actor journal, caf::actor allocator);

}  // namespace capstan::actors
