// What a replication controller needs, decided on plain data: how many pods to create, which
// to delete (the most expendable first), and the status to write -- given the RC, the pods its
// selector matches and the work already in flight. The replication manager (actor) runs it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "messages/objects.hpp"

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

}  // namespace capstan::actors
