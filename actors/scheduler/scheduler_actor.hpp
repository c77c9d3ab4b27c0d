// The scheduler actor: places unbound pods on nodes and binds them through the pod registry.
#pragma once

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

struct scheduler_config {
  std::size_t pods_per_turn = 2000;  // placements between two looks at the mailbox
  std::size_t min_feasible = 100;
  std::size_t feasible_percent = 5;
};

// Follows the journal; binds with object_command{bind_op} to `pods`. A bind
// that failed (other than lost to another bind or a delete) is logged and the pod placed again
// after its back-off; pods that fit nowhere wait for a change (or the periodic resync).
controller_actor spawn_scheduler(caf::actor_system& system, const read_model& model,
                                 registry_actor pods, scheduler_config config = {},
                                 controller_options options = {});

}  // namespace capstan::actors
