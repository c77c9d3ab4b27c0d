#include "actors/scheduler/scheduler_actor.hpp"

#include "actors/scheduler/scheduler_state.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct scheduler_actor_state {
  scheduler_state logic;
  bool turn_pending = false;
  static inline const char* name = "scheduler";
};

using scheduler_actor = caf::stateful_actor<scheduler_actor_state>;

object_key key_of(const std::string& id) {
  auto slash = id.find('/');
  return {id.substr(0, slash), id.substr(slash + 1)};
}

void request_turn(scheduler_actor* self) {
  if (!self->state.turn_pending && !self->state.logic.queue.empty()) {
    self->state.turn_pending = true;
    self->send(self, tick_atom::value);
  }
}

// Records PodScheduled=False with the reason (the FailedScheduling event derives from it),
// unless the pod already says exactly that (a restarted master re-evaluates every pending pod:
// that is no news). lastTransitionTime moves only when the condition's status does.
void report_unschedulable(scheduler_actor* self, const read_model* model, caf::actor pods,
                          const std::string& id, const std::string& reason) {
  auto key = key_of(id);
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
  self->request(
          pods, caf::infinite,
          object_command{object_kind::pod, key, "system:scheduler", status_op{std::move(p)}, true})
      .then([](command_reply&) {}, [](const caf::error&) {});
}

caf::behavior scheduler(scheduler_actor* self, const read_model* model, caf::actor pods,
                        scheduler_config config) {
  auto& logic = self->state.logic;
  logic.min_feasible = config.min_feasible;
  logic.feasible_percent = config.feasible_percent;
  model->read([&](const store::cluster_state& s) { logic.load(s); });
  request_turn(self);
  return {
      // Committed records keep the node view and the queue current.
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch)
          self->state.logic.observe(r);
        request_turn(self);
      },
      // One scheduling turn: place up to pods_per_turn pods, bind them with one request, then
      // yield to the mailbox.
      [=](tick_atom) {
        auto& st = self->state;
        st.turn_pending = false;
        command_batch binds;
        std::vector<std::string> ids;
        for (std::size_t n = 0; n < config.pods_per_turn && !st.logic.queue.empty(); ++n) {
          std::string id = std::move(st.logic.queue.front());
          st.logic.queue.pop_front();
          auto it = st.logic.pods.find(id);
          if (it == st.logic.pods.end() || !it->second.node.empty())
            continue;  // deleted, or already bound
          auto where = st.logic.place(it->second.request);
          if (!where.node) {
            st.logic.unschedulable[id] = where.reason;
            auto& last = st.logic.reported[id];
            if (last != where.reason) {
              last = where.reason;
              report_unschedulable(self, model, pods, id, where.reason);
            }
            continue;
          }
          st.logic.assume(id, *where.node);
          binds.commands.push_back(object_command{object_kind::pod, key_of(id), "system:scheduler",
                                                  bind_op{std::move(*where.node)}, true});
          ids.push_back(std::move(id));
        }
        if (!ids.empty())
          self->request(pods, caf::infinite, std::move(binds))
              .then(
                  [=](std::vector<command_reply>& replies) {
                    for (std::size_t i = 0; i < ids.size(); ++i) {
                      if (i < replies.size() && replies[i].ok())
                        continue;
                      self->state.logic.forget(ids[i]);
                      // Conflict: bound by someone else (the record will tell); NotFound:
                      // deleted. Anything else: placed again.
                      auto code =
                          i < replies.size() ? replies[i].error->code : error_code::internal;
                      if (code != error_code::conflict && code != error_code::not_found)
                        self->state.logic.queue.push_back(ids[i]);
                    }
                    request_turn(self);
                  },
                  [=](const caf::error&) {
                    for (const auto& id : ids) {
                      self->state.logic.forget(id);
                      self->state.logic.queue.push_back(id);
                    }
                    request_turn(self);
                  });
        request_turn(self);
      },
  };
}

}  // namespace

caf::actor spawn_scheduler(caf::actor_system& system, const read_model& model, caf::actor pods,
                           scheduler_config config) {
  return system.spawn(scheduler, &model, std::move(pods), config);
}

}  // namespace capstan::actors
