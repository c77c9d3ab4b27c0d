// The namespace controller: what is in a deleted namespace is deleted too, as Kubernetes'
// namespace controller does. Every namespaced object whose namespace does not exist (left by a
// namespace delete, by a create that raced with it, or by a crash between the two) is deleted
// through its kind's registry, with the cause "system:namespace-controller"; grants first, then
// RCs, so that their pods go by the RC's cascade. Endpoints go with their services (endpoints
// controller).
#pragma once

#include <vector>

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// The kinds a namespace holds that go when it goes, in the order they are deleted: grants
// first (RoleBindings, Roles: access to a deleted namespace ends before anything else), then
// RCs (their pods go by the RC's cascade), pods, services, quotas and limit ranges. A
// namespace may not be created again while any of these is left of its previous life.
const std::vector<messages::object_kind>& namespace_content_kinds();

// The pure part: the objects of `state` whose namespace is missing, in that order.
std::vector<std::pair<messages::object_kind, object_key>> orphaned_by_namespace(
    const store::cluster_state& state, const std::string& only_namespace = "");

// Follows the journal. `registries` is indexed by object_kind. A delete
// that fails (other than NotFound) is logged and its namespace emptied again after its back-off.
controller_actor spawn_namespace_controller(caf::actor_system& system, const read_model& model,
                                            std::vector<registry_actor> registries,
                                            controller_options options);

}  // namespace capstan::actors
