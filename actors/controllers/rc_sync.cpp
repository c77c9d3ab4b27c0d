#include "actors/controllers/rc_sync.hpp"

#include <algorithm>

namespace capstan::actors {

namespace {

using namespace messages;

bool active(const pod& p) {
  return p.metadata.deletion_timestamp.empty() && p.status.phase != "Succeeded" &&
         p.status.phase != "Failed";
}

bool ready(const pod& p) {
  for (const auto& c : p.status.conditions)
    if (c.type == "Ready")
      return c.status == "True";
  return false;
}

int phase_rank(const std::string& phase) {
  if (phase == "Pending")
    return 0;
  if (phase == "Unknown")
    return 1;
  return 2;  // Running
}

}  // namespace

rc_decision plan_rc_sync(const replication_controller& rc, const std::vector<const pod*>& matching,
                         const rc_expectations& pending, int max_burst) {
  rc_decision d;
  std::vector<const pod*> live;
  int ready_count = 0;
  for (const pod* p : matching)
    if (active(*p) && !pending.deletes.count(p->metadata.name)) {
      live.push_back(p);
      ready_count += ready(*p) ? 1 : 0;
    }
  const int want = rc.spec.replicas.value_or(1);
  const int have = static_cast<int>(live.size());
  if (pending.settled()) {
    if (have < want) {
      d.create = std::min(want - have, max_burst);
    } else if (have > want) {
      // Most expendable first: unscheduled, then pending, not ready, and the newest.
      std::sort(live.begin(), live.end(), [](const pod* a, const pod* b) {
        auto rank = [](const pod* p) {
          return std::make_tuple(p->spec.node_name.empty() ? 0 : 1, phase_rank(p->status.phase),
                                 ready(*p) ? 1 : 0, -p->metadata.creation_timestamp.seconds);
        };
        return rank(a) < rank(b);
      });
      for (int i = 0; i < std::min(have - want, max_burst); ++i)
        d.remove.push_back(live[i]->metadata.name);
    }
  }
  replication_controller_status status;
  status.replicas = have;
  status.fully_labeled_replicas = have;
  status.ready_replicas = ready_count;
  status.available_replicas = ready_count;
  status.observed_generation = rc.metadata.generation;
  const auto& now = rc.status;
  if (now.replicas != status.replicas || now.ready_replicas != status.ready_replicas ||
      now.observed_generation != status.observed_generation ||
      now.fully_labeled_replicas != status.fully_labeled_replicas)
    d.status = status;
  return d;
}

pod pod_from_template(const replication_controller& rc) {
  pod p;
  const auto& t = *rc.spec.template_;
  p.metadata.generate_name = rc.metadata.name + "-";
  p.metadata.namespace_ = rc.metadata.namespace_;
  p.metadata.labels = t.metadata.labels;
  p.metadata.annotations = t.metadata.annotations;
  p.metadata.owner_references.push_back(
      {"v1", "ReplicationController", rc.metadata.name, rc.metadata.uid, true});
  p.spec = t.spec;
  return p;
}

}  // namespace capstan::actors
