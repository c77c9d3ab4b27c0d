#include "actors/controllers/node_lifecycle.hpp"

namespace capstan::actors {

void node_lifecycle_state::heartbeat(const std::string& node, lifecycle_clock::time_point now) {
  last_heartbeat[node] = now;
  not_ready_since.erase(node);
  evicted.erase(node);
}

lifecycle_actions node_lifecycle_state::tick(
    lifecycle_clock::time_point now, const std::vector<std::pair<std::string, std::string>>& nodes,
    const std::vector<std::string>& pod_nodes) {
  lifecycle_actions out;
  std::set<std::string> existing;
  for (const auto& [name, ready] : nodes)
    existing.insert(name);
  std::map<std::string, lifecycle_clock::time_point> missing;
  for (const auto& name : pod_nodes) {
    if (existing.count(name))
      continue;
    auto seen = missing_since.find(name);
    auto since = seen == missing_since.end() ? now : seen->second;
    if (now - since >= config.grace) {
      out.collect.push_back(name);
      since = now;
    }
    missing.emplace(name, since);
  }
  missing_since.swap(missing);
  for (const auto& [name, ready] : nodes) {
    auto heard = last_heartbeat.find(name);
    // A node not heard from since this master started gets the grace period from the start.
    auto last = heard == last_heartbeat.end() ? started : heard->second;
    bool silent = now - last > config.grace;
    if (silent && ready == "True")
      out.mark_unknown.push_back(name);
    if (ready == "True" && !silent) {
      not_ready_since.erase(name);
      continue;
    }
    auto since = not_ready_since.emplace(name, silent ? last + config.grace : now).first->second;
    if (now - since >= config.eviction && !evicted.count(name)) {
      evicted.insert(name);
      out.evict.push_back(name);
    }
  }
  return out;
}

namespace {

using namespace messages;

struct lifecycle_actor_state {
  node_lifecycle_state logic;
  static inline const char* name = "node-lifecycle";
};

using lifecycle_self = node_lifecycle_impl_actor::stateful_pointer<lifecycle_actor_state>;

std::string ready_status(const node& n) {
  for (const auto& c : n.status.conditions)
    if (c.type == "Ready")
      return c.status;
  return "";
}

node_lifecycle_impl_actor::behavior_type node_lifecycle(lifecycle_self self,
                                                        const read_model* model,
                                                        registry_actor nodes, registry_actor pods,
                                                        node_lifecycle_config config) {
  self->state.logic.config = config;
  self->state.logic.started = self->clock().now();
  self->send(self, tick_atom::value);
  auto ignore = [](command_reply&) {};
  auto ignore_error = [](const caf::error&) {};
  return {
      [=](heartbeat_atom, const node_name& alive) {
        const std::string& name = alive.value;
        self->state.logic.heartbeat(name, self->clock().now());
        auto current = model->get(object_kind::node, {"", name});
        if (current && ready_status(std::get<node>(*current)) != "True")
          self->request(
                  nodes, caf::infinite,
                  object_command{object_kind::node,
                                 {"", name},
                                 "system:node:" + name,
                                 ready_op{true, "KubeletReady", "kubelet is posting ready status"}})
              .then(ignore, ignore_error);
      },
      [=](tick_atom) {
        std::vector<std::pair<std::string, std::string>> view;
        model->read([&](const store::cluster_state& s) {
          for (const auto& [key, o] : s.of(object_kind::node))
            view.emplace_back(key.name, ready_status(std::get<node>(o)));
        });
        auto actions = self->state.logic.tick(self->clock().now(), view, model->nodes_with_pods());
        for (const auto& name : actions.mark_unknown)
          self->request(nodes, caf::infinite,
                        object_command{object_kind::node,
                                       {"", name},
                                       "system:node-lifecycle",
                                       ready_op{false, "NodeStatusUnknown",
                                                "Kubelet stopped posting node status."}})
              .then(ignore, ignore_error);
        for (const auto& name : actions.evict) {
          auto on_node = model->list(object_kind::pod, "", {},
                                     std::get<field_selector>(field_selector::parse(
                                         "spec.nodeName=" + name, object_kind::pod)));
          auto timeout = std::to_string(config.eviction.count() / 1000) + "s";
          for (const auto& o : on_node.items) {
            const auto& m = meta_of(o);
            self->request(
                    pods, caf::infinite,
                    object_command{object_kind::pod,
                                   {m.namespace_, m.name},
                                   "system:node-lifecycle",
                                   // At once: no node is there to confirm a graceful end.
                                   delete_op{"node " + name + " not ready for more than " + timeout,
                                             m.uid, "", 0}})
                .then(ignore, ignore_error);
          }
        }
        for (const auto& name : actions.collect) {
          std::vector<std::pair<object_key, std::string>> orphans;  // key, uid
          model->for_each_pod_on_node(name, [&](const store::cluster_state&, const pod& p) {
            orphans.push_back({{p.metadata.namespace_, p.metadata.name}, p.metadata.uid});
          });
          for (const auto& [key, uid] : orphans)
            self->request(pods, caf::infinite,
                          object_command{object_kind::pod, key, "system:pod-gc",
                                         delete_op{"node " + name + " no longer exists", uid, "", 0}})
                .then(ignore, ignore_error);
        }
        self->delayed_send(self, config.period, tick_atom::value);
      },
  };
}

}  // namespace

node_lifecycle_actor spawn_node_lifecycle(caf::actor_system& system, const read_model& model,
                                          registry_actor nodes, registry_actor pods,
                                          node_lifecycle_config config) {
  return system.spawn(node_lifecycle, &model, std::move(nodes), std::move(pods), config);
}

}  // namespace capstan::actors
