// The endpoints controller: each service's Endpoints are the IP:targetPort of the running,
// ready pods its selector matches (named targetPorts resolved per pod by container port name).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// The pure part: the subsets a service should have, given the pods its selector matches.
// Pods whose named port does not resolve are left out of that port's subset.
std::vector<messages::endpoint_subset> desired_subsets(const messages::service& service,
                                                       const std::vector<messages::pod>& pods);

// Takes (committed_atom, committed_batch); journals EndpointsChanged as the endpoints' owner.
// A service whose write the journal refused is synced again a second later.
caf::actor spawn_endpoints_controller(caf::actor_system& system, const read_model& model,
                                      caf::actor journal);

}  // namespace capstan::actors
