// The allocator actor: the one owner of ClusterIPs, NodePorts and per-node pod CIDRs, so none
// is ever handed out twice. Its tables are rebuilt from the read model when it starts; dry
// runs are answered on a copy of them.
#pragma once

#include "actors/actors.hpp"
#include "actors/allocators/allocation_tables.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// allocator_actor (actors.hpp) over allocation_tables (what each message does is said there).
allocator_actor spawn_allocator(caf::actor_system& system, const allocator_config& config,
                                const read_model& model);

}  // namespace capstan::actors
