#include "actors/scheduler/scheduler_actor.hpp"

#include "actors/scheduler/scheduler_state.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct scheduler_actor_state {
  scheduler_state logic;
  controller_queue<object_key> queue;  // pods to place; a pod stays in flight until bound
  static inline const char* name = "scheduler";
};

using scheduler_self = controller_impl_actor::stateful_pointer<scheduler_actor_state>;

// Moves the pods the logic found placeable into the work queue.
void take_placeable(scheduler_self self) {
  auto& st = self->state;
  for (auto& key : st.logic.queue)
    st.queue.add(key);
  st.logic.queue.clear();
}

// Records PodScheduled=False with the reason (the FailedScheduling event derives from it),
// unless the pod already says exactly that (a restarted master re-evaluates every pending pod:
// that is no news). lastTransitionTime moves only when the condition's status does. A failed
// write is reported; the pod is looked at again when the cluster changes.
void report_unschedulable(scheduler_self self, const read_model* model, registry_actor pods,
                          const object_key& key, const std::string& reason) {
  auto current = model->get(object_kind::pod, key);
  if (!current)
    return;
  auto p = std::get<pod>(*current);
  pod_condition condition{"PodScheduled", "False", {}, timestamp::now(), "Unschedulable", reason};
  bool found = false;
  for (auto& c : p.status.conditions)
    if (c.type == "PodScheduled") {
      if (c.status == condition.status && c.reason == condition.reason &&
          c.message == condition.message)
        return;
      if (c.status == condition.status)
        condition.last_transition_time = c.last_transition_time;
      c = condition;
      found = true;
    }
  if (!found)
    p.status.conditions.push_back(condition);
  p.metadata.resource_version.clear();
  auto what = key.to_string();
  self->request(
          pods, caf::infinite,
          object_command{object_kind::pod, key, "system:scheduler", status_op{std::move(p)}, true})
      .then(
          [=](command_reply& reply) {
            if (!reply.ok() && reply.error->code != error_code::not_found)
              self->state.queue.report(what +
                                       ": recording it unschedulable: " + reply.error->message);
          },
          [=](const caf::error& e) {
            self->state.queue.report(what + ": recording it unschedulable: " + caf::to_string(e));
          });
}

// Binds the pods placed in one turn with one request; each pod is finished by its own answer.
void bind(scheduler_self self, registry_actor pods, command_batch binds,
          std::vector<object_key> keys) {
  self->request(pods, caf::infinite, std::move(binds))
      .then(
          [=](std::vector<command_reply>& replies) {
            auto& st = self->state;
            for (std::size_t i = 0; i < keys.size(); ++i) {
              if (i < replies.size() && replies[i].ok()) {
                st.queue.succeeded(self, keys[i]);
                continue;
              }
              st.logic.forget(keys[i]);
              // Conflict: bound by someone else (the record will tell); NotFound: deleted.
              // Anything else: placed again after its back-off.
              auto code = i < replies.size() ? replies[i].error->code : error_code::internal;
              if (code == error_code::conflict || code == error_code::not_found)
                st.queue.succeeded(self, keys[i]);
              else
                st.queue.failed(self, keys[i],
                                "binding: " + (i < replies.size() ? replies[i].error->message
                                                                  : std::string("no answer")));
            }
          },
          [=](const caf::error& e) {
            for (const auto& key : keys) {
              self->state.logic.forget(key);
              self->state.queue.failed(self, key,
                                       "binding: pod registry unavailable: " + caf::to_string(e));
            }
          });
}

controller_impl_actor::behavior_type scheduler(scheduler_self self, const read_model* model,
                                               registry_actor pods, scheduler_config config,
                                               controller_options options) {
  auto& logic = self->state.logic;
  logic.min_feasible = config.min_feasible;
  logic.feasible_percent = config.feasible_percent;
  self->state.queue.configure(scheduler_actor_state::name, std::move(options));
  model->read([&](const store::cluster_state& s) { logic.load(s); });
  take_placeable(self);
  self->state.queue.request_turn(self);
  self->state.queue.schedule_resync(self);
  return {
      // Committed records keep the node view and the queue current.
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch)
          self->state.logic.observe(r);
        take_placeable(self);
        self->state.queue.request_turn(self);
      },
      // Pods that did not fit are tried again now and then, even with no change seen (as
      // kube-scheduler flushes its unschedulable pods).
      [=](resync_atom) {
        self->state.logic.requeue_unschedulable();
        take_placeable(self);
        self->state.queue.request_turn(self);
        self->state.queue.schedule_resync(self);
      },
      // One scheduling turn: place up to pods_per_turn pods, bind them with one request, then
      // yield to the mailbox.
      [=](tick_atom) {
        auto& st = self->state;
        st.queue.begin_turn(self);
        command_batch binds;
        std::vector<object_key> keys;
        for (std::size_t n = 0; n < config.pods_per_turn; ++n) {
          auto key = st.queue.next(self);
          if (!key)
            break;
          auto it = st.logic.pods.find(*key);
          if (it == st.logic.pods.end() || it->second.node != 0) {
            st.queue.succeeded(self, *key);  // deleted, or already bound
            continue;
          }
          auto where = st.logic.place(st.logic.request_of(it->second));
          if (!where.node) {
            // Waits in `unschedulable` for a change; not a failure of the sync.
            st.logic.unschedulable[*key] = where.reason;
            auto& last = st.logic.reported[*key];
            if (last != where.reason) {
              last = where.reason;
              report_unschedulable(self, model, pods, *key, where.reason);
            }
            st.queue.succeeded(self, *key);
            continue;
          }
          st.logic.assume(*key, *where.node);
          binds.commands.push_back(object_command{object_kind::pod, *key, "system:scheduler",
                                                  bind_op{std::move(*where.node)}, true});
          keys.push_back(std::move(*key));
        }
        if (!keys.empty())
          bind(self, pods, std::move(binds), std::move(keys));
        st.queue.request_turn(self);
      },
  };
}

}  // namespace

controller_actor spawn_scheduler(caf::actor_system& system, const read_model& model,
                                 registry_actor pods, scheduler_config config,
                                 controller_options options) {
  return system.spawn(scheduler, &model, std::move(pods), config, std::move(options));
}

}  // namespace capstan::actors
