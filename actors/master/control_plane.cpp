#include "actors/master/control_plane.hpp"

#include <algorithm>

#include "actors/controllers/endpoints_controller.hpp"
#include "actors/controllers/namespace_controller.hpp"
#include "actors/controllers/replication_manager.hpp"
#include "actors/objects/registry.hpp"

namespace capstan::actors {

std::vector<batch_subscriber_actor> control_plane::batch_subscribers() const {
  return {scheduler, replication, endpoints, namespaces, service_accounts};
}

std::vector<caf::actor_addr> control_plane::clients() const {
  std::vector<caf::actor_addr> out = {scheduler.address(), replication.address(),
                                      endpoints.address(), namespaces.address(),
                                      service_accounts.address(), lifecycle.address()};
  for (const auto& r : registries)
    if (std::find(out.begin(), out.end(), r.address()) == out.end())
      out.push_back(r.address());
  return out;
}

control_plane spawn_control_plane(caf::actor_system& system, const read_model& model,
                                  journal_actor journal, const control_plane_config& config) {
  control_plane cp;
  cp.allocator = spawn_allocator(system, config.allocators, model);
  cp.registries.resize(messages::object_kind_count);
  auto pods = spawn_registry(system, object_kind::pod, model, {journal, cp.allocator, {}});
  for (std::size_t k = 0; k < messages::object_kind_count; ++k) {
    auto kind = static_cast<object_kind>(k);
    cp.registries[k] = kind == object_kind::pod
                           ? pods
                           : spawn_registry(system, kind, model, {journal, cp.allocator, pods});
  }
  auto options = [&](work_queue_metrics& metrics) {
    auto out = config.controllers;
    out.metrics = &metrics;
    return out;
  };
  cp.scheduler =
      spawn_scheduler(system, model, pods, config.scheduler, options(cp.metrics->scheduler));
  cp.replication = spawn_replication_manager(system, model, pods,
                                             cp.registry(object_kind::replication_controller),
                                             options(cp.metrics->replication));
  cp.endpoints = spawn_endpoints_controller(system, model, cp.registry(object_kind::endpoints),
                                            options(cp.metrics->endpoints));
  cp.lifecycle =
      spawn_node_lifecycle(system, model, cp.registry(object_kind::node), pods, config.lifecycle);
  cp.namespaces =
      spawn_namespace_controller(system, model, cp.registries, options(cp.metrics->namespaces));
  cp.service_accounts =
      spawn_service_account_controller(system, model, cp.registries, config.service_accounts,
                                       options(cp.metrics->service_accounts));
  return cp;
}

}  // namespace capstan::actors
