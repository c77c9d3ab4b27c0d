#include "actors/nodes/pod_dispatcher.hpp"

#include <map>

#include "actors/nodes/service_env.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct dispatcher_state {
  std::map<std::string, node_agent_actor> sessions;  // node -> its session
  std::map<std::string, std::string> pod_node;       // "ns/name" -> node it was sent to
  static inline const char* name = "pod-dispatcher";
};

using dispatcher_actor = caf::stateful_actor<dispatcher_state>;

std::string pod_key(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

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
  std::map<caf::actor_addr, std::pair<node_agent_actor, std::map<std::string, node_pods>>> by_session;

  node_pods& entry(const node_agent_actor& session, const std::string& node_name) {
    auto& [handle, nodes] = by_session[session.address()];
    handle = session;
    auto& e = nodes[node_name];
    e.node_name = node_name;
    return e;
  }
  void send_all(dispatcher_actor* self) {
    for (auto& [addr, session] : by_session) {
      pod_assignments message;
      message.nodes.reserve(session.second.size());
      for (auto& [name, e] : session.second)
        message.nodes.push_back(std::move(e));
      self->send(session.first, pods_atom::value, std::move(message));
    }
  }
};

void pod_changed(dispatcher_actor* self, const read_model* model, const journal_record& r,
                 namespace_environments& envs, round_outbox& out) {
  std::string key = pod_key(r.namespace_, r.name);
  if (std::holds_alternative<object_deleted>(r.event)) {
    auto it = self->state.pod_node.find(key);
    if (it == self->state.pod_node.end())
      return;
    auto session = self->state.sessions.find(it->second);
    if (session != self->state.sessions.end())
      out.entry(session->second, it->second).gone.push_back({r.namespace_, r.name, r.uid});
    self->state.pod_node.erase(it);
    return;
  }
  // The node's own reports need no echo; everything else about a bound pod is sent.
  if (std::holds_alternative<pod_status_changed>(r.event))
    return;
  model->read([&](const store::cluster_state& s) {
    const auto* p = s.find<pod>({r.namespace_, r.name});
    if (!p || p->spec.node_name.empty())
      return;
    auto session = self->state.sessions.find(p->spec.node_name);
    if (session == self->state.sessions.end())
      return;
    self->state.pod_node[key] = p->spec.node_name;
    out.entry(session->second, p->spec.node_name).pods.push_back(for_node(s, *p, envs));
  });
}

caf::behavior pod_dispatcher(dispatcher_actor* self, const read_model* model) {
  return {
      // Sessions start: each node gets its whole desired set, all in one message.
      [=](session_atom, const std::vector<std::string>& names, const node_agent_actor& session) {
        round_outbox out;
        namespace_environments envs;
        for (const auto& name : names) {
          self->state.sessions[name] = session;
          auto& e = out.entry(session, name);
          e.full = true;
          model->for_each_pod_on_node(name, [&](const store::cluster_state& s, const pod& p) {
            e.pods.push_back(for_node(s, p, envs));
            self->state.pod_node[pod_key(p.metadata.namespace_, p.metadata.name)] = name;
          });
        }
        out.send_all(self);
      },
      [=](session_atom, const std::vector<std::string>& names) {
        for (const auto& name : names)
          self->state.sessions.erase(name);
      },
      [=](committed_atom, const committed_batch& batch) {
        namespace_environments envs;  // the services as of now, for this batch's pods
        round_outbox out;
        for (const auto& r : *batch)
          if (r.kind == object_kind::pod)
            pod_changed(self, model, r, envs, out);
        out.send_all(self);
      },
  };
}

}  // namespace

caf::actor spawn_pod_dispatcher(caf::actor_system& system, const read_model& model) {
  return system.spawn(pod_dispatcher, &model);
}

}  // namespace capstan::actors
