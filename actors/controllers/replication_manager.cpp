#include "actors/controllers/replication_manager.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "actors/controllers/placement_flow.hpp"
#include "common/value_pool.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

// What the manager remembers of one RC: enough to route pod events to it without the model.
struct known_rc {
  std::string uid;
  string_map selector;
};

struct replication_state {
  std::map<object_key, known_rc> rcs;
  std::unordered_map<std::string, object_key> rc_by_uid;
  // "namespace\nkey=value" -> the RCs whose selector requires that label: a pod event looks
  // up its own labels here instead of testing every RC of the namespace.
  std::unordered_map<std::string, std::set<object_key>> rcs_by_label;
  std::map<object_key, rc_expectations> expectations;
  controller_queue<object_key> queue;  // RCs to sync
  // Each pod's labels when last seen, to find the RCs it matched before a change; equal label
  // sets (an RC's pods) are held once in label_sets (a pod costs a pointer, not a map).
  std::unordered_map<object_key, const string_map*> pod_labels;
  common::value_pool<string_map> label_sets;
  std::vector<object_command> orphans;  // deletes for the next turn
  // The pods created and not yet placed, under a bound (placement_flow.hpp).
  placement_flow flow{default_max_unplaced_pods};  // replaced by the spawn's bound
  static inline const char* name = "replication-manager";
};

using rm_self = controller_impl_actor::stateful_pointer<replication_state>;

std::string label_key(const std::string& ns, const std::string& k, const std::string& v) {
  return ns + "\n" + k + "=" + v;
}

// The labels last seen on pod `id` (none when it was never seen).
const string_map& labels_of(const replication_state& st, const object_key& id) {
  static const string_map none;
  auto it = st.pod_labels.find(id);
  return it == st.pod_labels.end() ? none : *it->second;
}

void remember_labels(replication_state& st, const object_key& id, const string_map& labels) {
  const string_map* held = st.label_sets.hold(labels);
  auto [it, added] = st.pod_labels.try_emplace(id, held);
  if (!added) {
    st.label_sets.release(it->second);
    it->second = held;
  }
}

void forget_labels(replication_state& st, const object_key& id) {
  auto it = st.pod_labels.find(id);
  if (it == st.pod_labels.end())
    return;
  st.label_sets.release(it->second);
  st.pod_labels.erase(it);
}

// Records (or, with an empty uid, forgets) an RC and the labels its selector requires.
void track_rc(replication_state& st, const object_key& key, const std::string& uid,
              const string_map* selector) {
  auto it = st.rcs.find(key);
  if (it != st.rcs.end()) {
    for (const auto& [k, v] : it->second.selector) {
      auto found = st.rcs_by_label.find(label_key(key.namespace_, k, v));
      if (found != st.rcs_by_label.end() && found->second.erase(key) && found->second.empty())
        st.rcs_by_label.erase(found);
    }
    if (uid.empty()) {
      st.rc_by_uid.erase(it->second.uid);
      st.rcs.erase(it);
      return;
    }
  }
  if (uid.empty())
    return;
  auto& rc = st.rcs[key];
  rc.uid = uid;
  if (selector)
    rc.selector = *selector;
  st.rc_by_uid[uid] = key;
  for (const auto& [k, v] : rc.selector)
    st.rcs_by_label[label_key(key.namespace_, k, v)].insert(key);
}

// The RCs of `ns` whose (non-empty) selector matches `labels`, through the label index.
std::vector<object_key> matching_rcs(const replication_state& st, const std::string& ns,
                                     const string_map& labels) {
  std::vector<object_key> out;
  for (const auto& [k, v] : labels) {
    auto it = st.rcs_by_label.find(label_key(ns, k, v));
    if (it == st.rcs_by_label.end())
      continue;
    for (const auto& key : it->second) {
      if (std::find(out.begin(), out.end(), key) != out.end())
        continue;
      bool all = true;
      for (const auto& [sk, sv] : st.rcs.at(key).selector) {
        auto l = labels.find(sk);
        if (l == labels.end() || l->second != sv) {
          all = false;
          break;
        }
      }
      if (all)
        out.push_back(key);
    }
  }
  return out;
}

// Marks every RC of `ns` whose selector matches `labels`.
void mark_matching(rm_self self, const std::string& ns, const string_map& labels) {
  for (auto& key : matching_rcs(self->state, ns, labels))
    self->state.queue.add(key);
}

// A pod whose controlling RC is gone (its create was in flight when the RC was deleted) is
// deleted, as Kubernetes' garbage collector deletes dependents of a deleted owner.
void collect_orphan(rm_self self, const object_key& pod_key, const owner_reference& owner) {
  self->state.orphans.push_back(
      object_command{object_kind::pod, pod_key, "system:garbage-collector",
                     delete_op{"owner ReplicationController " + pod_key.namespace_ + "/" +
                                   owner.name + " (uid " + owner.uid + ") no longer exists",
                               "", "", std::nullopt}});
}

void observe(rm_self self, const journal_record& r) {
  auto& st = self->state;
  object_key key{r.namespace_, r.name};
  if (r.kind == object_kind::replication_controller) {
    if (std::holds_alternative<object_deleted>(r.event)) {
      track_rc(st, key, "", nullptr);
      st.expectations.erase(key);  // a queued sync finds it gone
      return;
    }
    const string_map* selector = nullptr;
    if (auto* c = std::get_if<object_created>(&r.event))
      selector = &std::get<replication_controller>(c->object).spec.selector;
    else if (auto* u = std::get_if<object_updated>(&r.event))
      selector = &std::get<replication_controller>(u->object).spec.selector;
    track_rc(st, key, r.uid, selector);
    if (!std::holds_alternative<rc_status_changed>(r.event))
      st.queue.add(key);
    return;
  }
  if (r.kind != object_kind::pod)
    return;
  const object_key& id = key;
  if (auto* c = std::get_if<object_created>(&r.event)) {
    const auto& p = std::get<pod>(c->object);
    remember_labels(st, id, p.metadata.labels);
    for (const auto& o : p.metadata.owner_references)
      if (o.controller.value_or(false) && o.kind == "ReplicationController") {
        if (auto rc = st.rc_by_uid.find(o.uid); rc != st.rc_by_uid.end()) {
          auto& creates = st.expectations[rc->second].creates;
          creates = std::max(0, creates - 1);
          st.flow.created(id, !p.spec.node_name.empty(), r.time_nanos);
        } else {
          collect_orphan(self, {r.namespace_, r.name}, o);
        }
      }
    mark_matching(self, r.namespace_, p.metadata.labels);
  } else if (std::holds_alternative<object_deleted>(r.event)) {
    st.flow.deleted(id);
    if (!st.pod_labels.count(id))
      return;
    for (auto& rc : matching_rcs(st, r.namespace_, labels_of(st, id))) {
      if (auto e = st.expectations.find(rc); e != st.expectations.end())
        e->second.deletes.erase(r.name);
      st.queue.add(rc);
    }
    forget_labels(st, id);
  } else {
    if (std::holds_alternative<pod_bound>(r.event)) {
      st.flow.placed(id, r.time_nanos);
    } else if (auto* s = std::get_if<pod_status_changed>(&r.event)) {
      for (const auto& c : s->status.conditions)
        if (c.type == "PodScheduled" && c.status == "False")  // unschedulable: it waits for a
          st.flow.placed(id, r.time_nanos);  // change, not for the scheduler
    }
    const string_map* relabelled = nullptr;
    if (auto* l = std::get_if<labels_changed>(&r.event))
      relabelled = &l->labels;
    else if (auto* u = std::get_if<object_updated>(&r.event))
      relabelled = &std::get<pod>(u->object).metadata.labels;
    if (relabelled) {
      // The RCs it matched before: it may have left them, and no longer counts as their
      // pending delete (that delete's record would be looked up by the new labels).
      for (auto& rc : matching_rcs(st, r.namespace_, labels_of(st, id))) {
        if (auto e = st.expectations.find(rc); e != st.expectations.end())
          e->second.deletes.erase(r.name);
        st.queue.add(rc);
      }
      remember_labels(st, id, *relabelled);
    }
    mark_matching(self, r.namespace_, labels_of(st, id));
  }
}

// Deletes the pods whose controlling RC is gone. A failure is reported; the next resync finds
// the pod again (NotFound: it went meanwhile).
void collect_orphans(rm_self self, const registry_actor& pods) {
  for (auto& orphan : self->state.orphans) {
    auto what = describe(object_kind::pod, orphan.target);
    self->request(pods, caf::infinite, std::move(orphan))
        .then(
            [=](command_reply& reply) {
              if (!reply.ok() && reply.error->code != error_code::not_found)
                self->state.queue.report("deleting orphan " + what + ": " + reply.error->message);
            },
            [=](const caf::error& e) {
              self->state.queue.report("deleting orphan " + what + ": " + caf::to_string(e));
            });
  }
  self->state.orphans.clear();
}

// One sync: reads the RC and its pods, then creates, deletes and writes the status it decides,
// all at once. The RC stays in flight until every write is answered; any failure (quota, a
// missing namespace, a refused append) is logged and the RC synced again after its back-off.
void sync(rm_self self, const read_model* model, registry_actor pods, registry_actor rcs,
          const object_key& key) {
  auto& queue = self->state.queue;
  auto current = model->get(object_kind::replication_controller, key);
  if (!current) {
    queue.succeeded(self, key);
    return;
  }
  const auto& rc = std::get<replication_controller>(*current);
  if (!rc.spec.template_ || rc.spec.selector.empty()) {
    queue.succeeded(self, key);
    return;
  }
  auto& expect = self->state.expectations[key];
  rc_decision decision;
  model->with_pods(key.namespace_, label_selector::from_map(rc.spec.selector),
                   [&](const std::vector<const pod*>& matching) {
                     decision = plan_rc_sync(rc, matching, expect);
                   });
  if (decision.create > 0) {
    auto& flow = self->state.flow;
    const int room = flow.room();
    if (decision.create > room) {
      flow.hold_back(key, decision.create - room);
      decision.create = room;
    }
    flow.asked(decision.create);
  }
  std::size_t writes =
      (decision.create > 0 ? 1 : 0) + decision.remove.size() + (decision.status ? 1 : 0);
  if (writes == 0) {
    queue.succeeded(self, key);
    return;
  }
  auto answered = queue.await_answers(self, key, writes);
  const std::string cause = "system:replication-manager";
  if (decision.create > 0) {
    // One request for the whole burst (the registry journals it with one append request).
    std::vector<create_command> creates;
    creates.reserve(decision.create);
    for (int i = 0; i < decision.create; ++i)
      creates.push_back(create_command{pod_from_template(rc), cause, true});
    expect.creates += decision.create;
    const int asked = decision.create;
    self->request(pods, caf::infinite, std::move(creates))
        .then(
            [=](std::vector<command_reply>& replies) {
              int failed = asked - static_cast<int>(replies.size());
              std::string first;
              for (const auto& reply : replies)
                if (!reply.ok()) {
                  ++failed;
                  if (first.empty())
                    first = reply.error->message;
                }
              if (failed == 0) {
                answered("");
                return;
              }
              self->state.expectations[key].creates -= failed;
              self->state.flow.failed(failed);
              answered(std::to_string(failed) + " of " + std::to_string(asked) +
                       " pod creates failed: " + (first.empty() ? "no answer" : first));
            },
            [=](const caf::error& e) {
              self->state.expectations[key].creates -= asked;
              self->state.flow.failed(asked);
              answered("pod registry unavailable: " + caf::to_string(e));
            });
  }
  for (const auto& name : decision.remove) {
    expect.deletes.insert(name);
    self->request(
            pods, caf::infinite,
            object_command{object_kind::pod,
                           {key.namespace_, name},
                           cause,
                           delete_op{"scaling ReplicationController " + key.name + " down", "",
                                     "", std::nullopt},
                           true})
        .then(
            [=](command_reply& reply) {
              if (reply.ok()) {
                answered("");
                return;
              }
              self->state.expectations[key].deletes.erase(name);
              answered("deleting pod " + name + ": " + reply.error->message);
            },
            [=](const caf::error& e) {
              self->state.expectations[key].deletes.erase(name);
              answered("deleting pod " + name + ": " + caf::to_string(e));
            });
  }
  if (decision.status) {
    replication_controller with_status = rc;
    with_status.status = *decision.status;
    with_status.metadata.resource_version.clear();
    self->request(rcs, caf::infinite,
                  object_command{object_kind::replication_controller, key, cause,
                                 status_op{std::move(with_status)}, true})
        .then(
            [=](command_reply& reply) {
              if (reply.ok() && reply.seq != 0 && self->state.rcs.count(key)) {
                // Computed before it landed: a sync meanwhile may have found the older status
                // current and written nothing. Looked at again once this sync is done.
                self->state.queue.add(key);
              }
              bool fine = reply.ok() || reply.error->code == error_code::not_found;
              answered(fine ? "" : "writing the status: " + reply.error->message);
            },
            [=](const caf::error& e) { answered("writing the status: " + caf::to_string(e)); });
  }
}

void load(rm_self self, const read_model* model) {
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::replication_controller)) {
      track_rc(self->state, key, meta_of(o).uid,
               &std::get<replication_controller>(o).spec.selector);
      self->state.queue.add(key);
    }
    for (const auto& [key, o] : s.of(object_kind::pod)) {
      remember_labels(self->state, key, meta_of(o).labels);
      for (const auto& owner : meta_of(o).owner_references)
        if (owner.controller.value_or(false) && owner.kind == "ReplicationController" &&
            !self->state.rc_by_uid.count(owner.uid))
          collect_orphan(self, key, owner);
    }
  });
}

controller_impl_actor::behavior_type replication_manager(rm_self self, const read_model* model,
                                                         registry_actor pods, registry_actor rcs,
                                                         controller_options options,
                                                         std::size_t max_unplaced_pods) {
  self->state.queue.configure(replication_state::name, std::move(options));
  self->state.flow = placement_flow(max_unplaced_pods);
  load(self, model);
  collect_orphans(self, pods);
  self->state.queue.request_turn(self);
  self->state.queue.schedule_resync(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch)
          observe(self, r);
        if (!self->state.orphans.empty())
          collect_orphans(self, pods);
        self->state.queue.request_turn(self);
      },
      // Every RC again, and every orphan: the safety net for anything missed.
      [=](resync_atom) {
        for (const auto& [key, rc] : self->state.rcs)
          self->state.queue.add(key);
        model->read([&](const store::cluster_state& s) {
          for (const auto& [key, o] : s.of(object_kind::pod))
            for (const auto& owner : meta_of(o).owner_references)
              if (owner.controller.value_or(false) && owner.kind == "ReplicationController" &&
                  !self->state.rc_by_uid.count(owner.uid))
                collect_orphan(self, key, owner);
        });
        collect_orphans(self, pods);
        self->state.queue.request_turn(self);
        self->state.queue.schedule_resync(self);
      },
      [=](tick_atom) {
        self->state.queue.begin_turn(self);
        for (auto& rc : self->state.flow.release())
          self->state.queue.add(rc);
        for (int n = 0; n < 200; ++n) {
          auto key = self->state.queue.next(self);
          if (!key)
            break;
          sync(self, model, pods, rcs, *key);
        }
        self->state.queue.request_turn(self);
      },
  };
}

}  // namespace

controller_actor spawn_replication_manager(caf::actor_system& system, const read_model& model,
                                           registry_actor pods, registry_actor rcs,
                                           controller_options options,
                                           std::size_t max_unplaced_pods) {
  return system.spawn(replication_manager, &model, std::move(pods), std::move(rcs),
                      std::move(options), max_unplaced_pods);
}

}  // namespace capstan::actors
