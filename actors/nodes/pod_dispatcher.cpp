#include "actors/nodes/pod_dispatcher.hpp"

#include <map>

#include "actors/nodes/service_env.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct dispatcher_state {
  std::map<std::string, node_agent_actor> sessions;  // node -> its session
  std::map<object_key, std::string> pod_node;        // pod -> node it was sent to
  static inline const char* name = "pod-dispatcher";
};

using dispatcher_self = pod_dispatcher_actor::stateful_pointer<dispatcher_state>;

// The service variables of each namespace, computed once per round of sends rather than
// once per pod (they depend on the namespace's services only).
using namespace_environments = std::map<std::string, std::vector<env_var>>;

// The pod as its node receives it: with the service variables of its namespace.
pod for_node(const store::cluster_state& s, const pod& p, namespace_environments& envs) {
  auto found = envs.find(p.metadata.namespace_);
  if (found == envs.end()) {
    std::vector<service> services;
    const auto& table = s.of(object_kind::service);
    for (auto it = table.lower_bound({p.metadata.namespace_, ""});
         it != table.end() && it->first.namespace_ == p.metadata.namespace_; ++it)
      services.push_back(std::get<service>(it->second));
    found = envs.emplace(p.metadata.namespace_, service_environment(services)).first;
  }
  return with_service_environment(p, found->second);
}

// What one round sends: per session, per node, the node's changes.
struct round_outbox {
  std::map<caf::actor_addr, std::pair<node_agent_actor, std::map<std::string, node_pods>>>
      by_session;

  node_pods& entry(const node_agent_actor& session, const std::string& node_name) {
    auto& [handle, nodes] = by_session[session.address()];
    handle = session;
    auto& e = nodes[node_name];
    e.node_name = node_name;
    return e;
  }
  void send_all(dispatcher_self self) {
    for (auto& [addr, session] : by_session) {
      pod_assignments message;
      message.nodes.reserve(session.second.size());
      for (auto& [name, e] : session.second)
        message.nodes.push_back(std::move(e));
      self->send(session.first, pods_atom::value, std::move(message));
    }
  }
};

// A deleted pod goes out as gone to the session it was sent to.
void pod_deleted(dispatcher_self self, const journal_record& r, round_outbox& out) {
  auto it = self->state.pod_node.find({r.namespace_, r.name});
  if (it == self->state.pod_node.end())
    return;
  auto session = self->state.sessions.find(it->second);
  if (session != self->state.sessions.end())
    out.entry(session->second, it->second).gone.push_back({r.namespace_, r.name, r.uid});
  self->state.pod_node.erase(it);
}

// The pods a batch created or changed (not the nodes' own status reports: no echo), as they
// are now, to their nodes' sessions — read under one lock of the read model per batch.
void pods_changed(dispatcher_self self, const read_model* model,
                  const std::vector<const journal_record*>& changed, round_outbox& out) {
  if (changed.empty())
    return;
  namespace_environments envs;  // the services as of now, for this batch's pods
  model->read([&](const store::cluster_state& s) {
    for (const auto* r : changed) {
      const auto* p = s.find<pod>({r->namespace_, r->name});
      if (!p || p->spec.node_name.empty())
        continue;
      auto session = self->state.sessions.find(p->spec.node_name);
      if (session == self->state.sessions.end())
        continue;
      self->state.pod_node[{r->namespace_, r->name}] = p->spec.node_name;
      out.entry(session->second, p->spec.node_name).pods.push_back(for_node(s, *p, envs));
    }
  });
}

pod_dispatcher_actor::behavior_type pod_dispatcher(dispatcher_self self, const read_model* model) {
  return {
      // Sessions start: each node gets its whole desired set, all in one message.
      [=](session_atom, const std::vector<node_name>& names, const node_agent_actor& session) {
        round_outbox out;
        namespace_environments envs;
        for (const auto& [name] : names) {
          self->state.sessions[name] = session;
          auto& e = out.entry(session, name);
          e.full = true;
          model->for_each_pod_on_node(name, [&](const store::cluster_state& s, const pod& p) {
            e.pods.push_back(for_node(s, p, envs));
            self->state.pod_node[{p.metadata.namespace_, p.metadata.name}] = name;
          });
        }
        out.send_all(self);
      },
      [=](session_atom, const std::vector<node_name>& names) {
        for (const auto& name : names)
          self->state.sessions.erase(name.value);
      },
      [=](committed_atom, const committed_batch& batch) {
        round_outbox out;
        std::vector<const journal_record*> changed;
        for (const auto& r : *batch) {
          if (r.kind != object_kind::pod || std::holds_alternative<pod_status_changed>(r.event))
            continue;
          if (std::holds_alternative<object_deleted>(r.event))
            pod_deleted(self, r, out);
          else
            changed.push_back(&r);
        }
        pods_changed(self, model, changed, out);
        out.send_all(self);
      },
  };
}

}  // namespace

pod_dispatcher_actor spawn_pod_dispatcher(caf::actor_system& system, const read_model& model) {
  return system.spawn(pod_dispatcher, &model);
}

}  // namespace capstan::actors
