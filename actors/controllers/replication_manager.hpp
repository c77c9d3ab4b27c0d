// The replication manager: keeps each ReplicationController at `replicas` active pods that
// match its selector. Event handlers only mark RCs dirty; sync(rc) reads the read model,
// reconciles, and writes through the registries (Kubernetes' controller shape).
#pragma once

#include <map>
#include <set>
#include <unordered_map>

#include "actors/actors.hpp"
#include "actors/controllers/controller_queue.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

// In-flight work per RC, so that a sync never acts twice on the same shortfall.
struct rc_expectations {
  int creates = 0;                // pods asked for, not yet seen created
  std::set<std::string> deletes;  // pods asked to go, not yet seen deleted
  bool settled() const { return creates <= 0 && deletes.empty(); }
};

// What one sync decides.
struct rc_decision {
  int create = 0;                   // pods to create from the template
  std::vector<std::string> remove;  // pods to delete, most expendable first
  std::optional<messages::replication_controller_status> status;  // when it changed
};

// The pure part of sync: `matching` are the RC's pods (selector matches, same namespace);
// they are read in place (sync runs it under the read model's lock), never copied.
rc_decision plan_rc_sync(const messages::replication_controller& rc,
                         const std::vector<const messages::pod*>& matching,
                         const rc_expectations& pending, int max_burst = 500);

// The pod an RC creates: the template, generateName "<rc>-", an owner reference to the RC.
messages::pod pod_from_template(const messages::replication_controller& rc);

// Takes (committed_atom, committed_batch); writes to the `pods` and `rcs` registries. An RC
// whose creates, deletes or status write failed is logged and synced again after its back-off,
// with no other event needed.
caf::actor spawn_replication_manager(caf::actor_system& system, const read_model& model,
                                     caf::actor pods, caf::actor rcs,
                                     controller_options options);

}  // namespace capstan::actors
