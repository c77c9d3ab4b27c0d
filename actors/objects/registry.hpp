// One registry per kind: creates objects (admission, allocation, uid, journal), maps names to
// object actors (spawned on first use) and routes commands to them. Every command on an
// existing object passes one door per object: its actor, or, for a batch command on an object
// without one, the batch, during which the object's other commands wait.
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

struct registry_links {
  journal_actor journal;
  allocator_actor allocator;
  registry_actor pods;  // the pod registry, for cascading an RC's delete to its pods (RCs only)
};

registry_actor spawn_registry(caf::actor_system& system, object_kind kind, const read_model& model,
                              registry_links links);

// A random suffix of `length` lowercase alphanumerics, as Kubernetes' generateName uses.
std::string random_suffix(std::size_t length = 5);

}  // namespace capstan::actors
