#include "actors/controllers/replication_manager.hpp"

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

rc_decision plan_rc_sync(const replication_controller& rc, const std::vector<pod>& matching,
                         const rc_expectations& pending, int max_burst) {
  rc_decision d;
  std::vector<const pod*> live;
  int ready_count = 0;
  for (const auto& p : matching)
    if (active(p) && !pending.deletes.count(p.metadata.name)) {
      live.push_back(&p);
      ready_count += ready(p) ? 1 : 0;
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

namespace {

struct replication_state {
  std::map<object_key, std::string> rc_uid;  // RCs known, and their uids
  std::unordered_map<std::string, object_key> rc_by_uid;
  std::map<object_key, rc_expectations> expectations;
  std::set<object_key> dirty;
  std::unordered_map<std::string, string_map> pod_labels;  // "ns/name" -> labels
  std::vector<object_command> orphans;                     // deletes for the next turn
  bool turn_pending = false;
  static inline const char* name = "replication-manager";
};

using rm_actor = caf::stateful_actor<replication_state>;

// Marks every RC of `ns` whose selector matches `labels`.
void mark_matching(rm_actor* self, const read_model* model, const std::string& ns,
                   const string_map& labels) {
  model->read([&](const store::cluster_state& s) {
    const auto& rcs = s.of(object_kind::replication_controller);
    for (auto it = rcs.lower_bound({ns, ""}); it != rcs.end() && it->first.namespace_ == ns; ++it) {
      const auto& rc = std::get<replication_controller>(it->second);
      if (!rc.spec.selector.empty() && label_selector::from_map(rc.spec.selector).matches(labels))
        self->state.dirty.insert(it->first);
    }
  });
}

// A pod whose controlling RC is gone (its create was in flight when the RC was deleted) is
// deleted, as Kubernetes' garbage collector deletes dependents of a deleted owner.
void collect_orphan(rm_actor* self, const object_key& pod_key, const owner_reference& owner) {
  self->state.orphans.push_back(
      object_command{object_kind::pod, pod_key, "system:garbage-collector",
                     delete_op{"owner ReplicationController " + pod_key.namespace_ + "/" +
                                   owner.name + " (uid " + owner.uid + ") no longer exists",
                               "", ""}});
}

void observe(rm_actor* self, const read_model* model, const journal_record& r) {
  auto& st = self->state;
  object_key key{r.namespace_, r.name};
  if (r.kind == object_kind::replication_controller) {
    if (std::holds_alternative<object_deleted>(r.event)) {
      st.rc_by_uid.erase(st.rc_uid[key]);
      st.rc_uid.erase(key);
      st.expectations.erase(key);
      st.dirty.erase(key);
    } else {
      st.rc_uid[key] = r.uid;
      st.rc_by_uid[r.uid] = key;
      if (!std::holds_alternative<rc_status_changed>(r.event))
        st.dirty.insert(key);
    }
    return;
  }
  if (r.kind != object_kind::pod)
    return;
  std::string id = r.namespace_ + "/" + r.name;
  if (auto* c = std::get_if<object_created>(&r.event)) {
    const auto& p = std::get<pod>(c->object);
    st.pod_labels[id] = p.metadata.labels;
    for (const auto& o : p.metadata.owner_references)
      if (o.controller.value_or(false) && o.kind == "ReplicationController") {
        if (auto rc = st.rc_by_uid.find(o.uid); rc != st.rc_by_uid.end()) {
          auto& creates = st.expectations[rc->second].creates;
          creates = std::max(0, creates - 1);
        } else {
          collect_orphan(self, {r.namespace_, r.name}, o);
        }
      }
    mark_matching(self, model, r.namespace_, p.metadata.labels);
  } else if (std::holds_alternative<object_deleted>(r.event)) {
    auto labels = st.pod_labels[id];
    st.pod_labels.erase(id);
    for (auto& [rc, e] : st.expectations)
      if (rc.namespace_ == r.namespace_)
        e.deletes.erase(r.name);
    mark_matching(self, model, r.namespace_, labels);
  } else {
    if (auto* l = std::get_if<labels_changed>(&r.event)) {
      mark_matching(self, model, r.namespace_, st.pod_labels[id]);
      st.pod_labels[id] = l->labels;
    } else if (auto* u = std::get_if<object_updated>(&r.event)) {
      mark_matching(self, model, r.namespace_, st.pod_labels[id]);
      st.pod_labels[id] = std::get<pod>(u->object).metadata.labels;
    }
    mark_matching(self, model, r.namespace_, st.pod_labels[id]);
  }
}

void request_turn(rm_actor* self) {
  if (!self->state.turn_pending && (!self->state.dirty.empty() || !self->state.orphans.empty())) {
    self->state.turn_pending = true;
    self->send(self, tick_atom::value);
  }
}

void sync(rm_actor* self, const read_model* model, caf::actor pods, caf::actor rcs,
          const object_key& key) {
  auto current = model->get(object_kind::replication_controller, key);
  if (!current)
    return;
  const auto& rc = std::get<replication_controller>(*current);
  if (!rc.spec.template_ || rc.spec.selector.empty())
    return;
  std::vector<pod> matching;
  model->for_each_pod(key.namespace_, label_selector::from_map(rc.spec.selector),
                      [&](const pod& p) { matching.push_back(p); });
  auto& expect = self->state.expectations[key];
  auto decision = plan_rc_sync(rc, matching, expect);
  const std::string cause = "system:replication-manager";
  for (int i = 0; i < decision.create; ++i) {
    expect.creates += 1;
    self->request(pods, caf::infinite, create_command{pod_from_template(rc), cause})
        .then(
            [=](command_reply& reply) {
              if (!reply.ok()) {
                self->state.expectations[key].creates -= 1;
                self->state.dirty.insert(key);  // try again (quota may free up, namespace may come)
              }
            },
            [=](const caf::error&) { self->state.expectations[key].creates -= 1; });
  }
  for (const auto& name : decision.remove) {
    expect.deletes.insert(name);
    self->request(pods, caf::infinite,
                  object_command{
                      object_kind::pod,
                      {key.namespace_, name},
                      cause,
                      delete_op{"scaling ReplicationController " + key.name + " down", "", ""}})
        .then(
            [=](command_reply& reply) {
              if (!reply.ok())
                self->state.expectations[key].deletes.erase(name);
            },
            [=](const caf::error&) { self->state.expectations[key].deletes.erase(name); });
  }
  if (decision.status) {
    replication_controller with_status = rc;
    with_status.status = *decision.status;
    with_status.metadata.resource_version.clear();
    self->request(rcs, caf::infinite,
                  object_command{object_kind::replication_controller, key, cause,
                                 status_op{std::move(with_status)}})
        .then([](command_reply&) {}, [](const caf::error&) {});
  }
}

caf::behavior replication_manager(rm_actor* self, const read_model* model, caf::actor pods,
                                  caf::actor rcs) {
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::replication_controller)) {
      self->state.rc_uid[key] = meta_of(o).uid;
      self->state.rc_by_uid[meta_of(o).uid] = key;
      self->state.dirty.insert(key);
    }
    for (const auto& [key, o] : s.of(object_kind::pod)) {
      self->state.pod_labels[key.namespace_ + "/" + key.name] = meta_of(o).labels;
      for (const auto& owner : meta_of(o).owner_references)
        if (owner.controller.value_or(false) && owner.kind == "ReplicationController" &&
            !self->state.rc_by_uid.count(owner.uid))
          collect_orphan(self, key, owner);
    }
  });
  request_turn(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch)
          observe(self, model, r);
        request_turn(self);
      },
      [=](tick_atom) {
        self->state.turn_pending = false;
        for (int n = 0; n < 200 && !self->state.dirty.empty(); ++n) {
          object_key key = *self->state.dirty.begin();
          self->state.dirty.erase(self->state.dirty.begin());
          sync(self, model, pods, rcs, key);
        }
        request_turn(self);
      },
  };
}

}  // namespace

caf::actor spawn_replication_manager(caf::actor_system& system, const read_model& model,
                                     caf::actor pods, caf::actor rcs) {
  return system.spawn(replication_manager, &model, std::move(pods), std::move(rcs));
}

}  // namespace capstan::actors
