// The master's control-plane actors wired on a read model and a journal actor: allocators,
// one registry per kind, scheduler, replication manager, endpoints, node lifecycle, namespace
// and service-account controllers. The master runs them on the RocksDB journal; the seeded
// simulation (tests/simulation) runs the same wiring on an in-memory journal actor.
#pragma once

#include <memory>

#include "actors/allocators/allocator_actor.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/controllers/service_account_controller.hpp"
#include "actors/controllers/node_lifecycle.hpp"
#include "actors/read_model/read_model.hpp"
#include "actors/scheduler/scheduler_actor.hpp"

namespace capstan::actors {

struct control_plane_config {
  allocator_config allocators;
  node_lifecycle_config lifecycle;
  scheduler_config scheduler;
  // The work queues' back-off, resync period and log of the scheduler and the controllers
  // (their `metrics` member is ignored: each gets its own in control_plane::metrics).
  controller_options controllers;
  service_account_settings service_accounts;
};

struct control_plane {
  allocator_actor allocator;
  controller_actor scheduler, replication, endpoints, namespaces, service_accounts;
  node_lifecycle_actor lifecycle;
  std::vector<registry_actor> registries;  // by object_kind
  // The work queues' figures, for /metrics; outlives the actors that write them.
  std::shared_ptr<controller_metrics> metrics = std::make_shared<controller_metrics>();

  registry_actor registry(object_kind kind) const {
    return registries[static_cast<std::size_t>(kind)];
  }
  // The actors that must receive every committed batch, subscribed before the first append
  // they must see.
  std::vector<batch_subscriber_actor> batch_subscribers() const;
  // Every actor that writes through the allocator or the journal (stopped before them).
  std::vector<caf::actor_addr> clients() const;
};

// Spawns the actors. `model` must outlive the actors and is fed by whoever commits the journal.
control_plane spawn_control_plane(caf::actor_system& system, const read_model& model,
                                  journal_actor journal, const control_plane_config& config);

}  // namespace capstan::actors
