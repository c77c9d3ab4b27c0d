// The replication manager: keeps each ReplicationController at `replicas` active pods that
// match its selector. Event handlers only queue RCs; sync(rc) reads the read model, decides
// (rc_sync.hpp) and writes through the registries (Kubernetes' controller shape).
#pragma once

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/controllers/rc_sync.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// How many pods the manager keeps created and not yet placed by the scheduler, at most
// (placement_flow.hpp): enough for the scheduler's batches, few enough that a pod waits for it
// a tenth of a second, not seconds, when a million are asked for at once. Within it, the bound
// follows the pods' wait (a mean of 40 ms), down to 100 pods. Measured at 1,000,000 pods
// (docs/BENCHMARKS.md, issue 22): a fixed 400 gave a p99 created -> bound of 105 ms but 15 %
// fewer pods bound a second, a fixed 1,000 kept the pace at 201-225 ms; following the wait
// gave 82-92 ms, at the same pace as the fixed 1,000 run beside it (eighth step).
constexpr std::size_t default_max_unplaced_pods = 1000;

// Follows the journal; writes to the `pods` and `rcs` registries. An RC whose creates, deletes
// or status write failed is logged and synced again after its back-off, with no other event
// needed. It creates no more pods while `max_unplaced_pods` of those it created (fewer while
// they wait long) wait for the scheduler; the RCs that wanted more are synced again as pods are
// placed.
controller_actor spawn_replication_manager(caf::actor_system& system, const read_model& model,
                                           registry_actor pods, registry_actor rcs,
                                           controller_options options,
                                           std::size_t max_unplaced_pods =
                                               default_max_unplaced_pods);

}  // namespace capstan::actors
