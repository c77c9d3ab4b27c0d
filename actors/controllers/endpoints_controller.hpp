// The endpoints controller: each service's Endpoints are the IP:targetPort of the running,
// ready pods its selector matches (named targetPorts resolved per pod by container port name).
#pragma once

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// The pure part: the subsets a service should have, given the pods its selector matches.
// Pods whose named port does not resolve are left out of that port's subset.
std::vector<messages::endpoint_subset> desired_subsets(const messages::service& service,
                                                       const std::vector<messages::pod>& pods);

// Follows the journal; writes each service's Endpoints through the
// endpoints registry (created with the service's labels, subsets changed, deleted with the
// service). A write that failed is logged and retried after its back-off.
controller_actor spawn_endpoints_controller(caf::actor_system& system, const read_model& model,
                                            registry_actor endpoints_registry,
                                            controller_options options);

}  // namespace capstan::actors
