// The replication manager: keeps each ReplicationController at `replicas` active pods that
// match its selector. Event handlers only queue RCs; sync(rc) reads the read model, decides
// (rc_sync.hpp) and writes through the registries (Kubernetes' controller shape).
#pragma once

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/controllers/rc_sync.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// Follows the journal; writes to the `pods` and `rcs` registries. An RC whose creates, deletes
// or status write failed is logged and synced again after its back-off, with no other event
// needed.
controller_actor spawn_replication_manager(caf::actor_system& system, const read_model& model,
                                           registry_actor pods, registry_actor rcs,
                                           controller_options options);

}  // namespace capstan::actors
