#include "actors/nodes/pod_dispatcher.hpp"

#include <map>

#include "actors/nodes/service_env.hpp"
#include "messages/json_codec.hpp"
#include "nodeagent/protocol.hpp"

namespace capstan::actors {

namespace {

using namespace messages;
using namespace nodeagent;

struct dispatcher_state {
  std::map<std::string, caf::actor> sessions;   // node -> its agent
  std::map<std::string, std::string> pod_node;  // "ns/name" -> node it was sent to
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
std::string for_node(const store::cluster_state& s, const pod& p, namespace_environments& envs) {
  auto found = envs.find(p.metadata.namespace_);
  if (found == envs.end()) {
    std::vector<service> services;
    const auto& table = s.of(object_kind::service);
    for (auto it = table.lower_bound({p.metadata.namespace_, ""});
         it != table.end() && it->first.namespace_ == p.metadata.namespace_; ++it)
      services.push_back(std::get<service>(it->second));
    found = envs.emplace(p.metadata.namespace_, service_environment(services)).first;
  }
  return to_json(any_object(with_service_environment(p, found->second))).dump(-1, ' ', false, messages::json::error_handler_t::replace);
}

void send_all_pods(dispatcher_actor* self, const read_model* model, const std::string& node_name,
                   const caf::actor& session) {
  std::string pods = "[";
  namespace_environments envs;
  model->for_each_pod_on_node(node_name, [&](const store::cluster_state& s, const pod& p) {
    if (pods.size() > 1)
      pods += ",";
    pods += for_node(s, p, envs);
    self->state.pod_node[pod_key(p.metadata.namespace_, p.metadata.name)] = node_name;
  });
  pods += "]";
  self->send(session, pods_atom::value, std::move(pods));
}

void pod_changed(dispatcher_actor* self, const read_model* model, const journal_record& r,
                 namespace_environments& envs) {
  std::string key = pod_key(r.namespace_, r.name);
  if (std::holds_alternative<object_deleted>(r.event)) {
    auto it = self->state.pod_node.find(key);
    if (it == self->state.pod_node.end())
      return;
    auto session = self->state.sessions.find(it->second);
    if (session != self->state.sessions.end())
      self->send(session->second, gone_atom::value, r.namespace_, r.name, r.uid);
    self->state.pod_node.erase(it);
    return;
  }
  // The node's own reports need no echo; everything else about a bound pod is sent.
  if (std::holds_alternative<pod_status_changed>(r.event))
    return;
  std::string node_name, sent;
  model->read([&](const store::cluster_state& s) {
    const auto* p = s.find<pod>({r.namespace_, r.name});
    if (!p || p->spec.node_name.empty())
      return;
    node_name = p->spec.node_name;
    if (self->state.sessions.count(node_name))
      sent = for_node(s, *p, envs);
  });
  auto session = self->state.sessions.find(node_name);
  if (node_name.empty() || session == self->state.sessions.end())
    return;
  self->state.pod_node[key] = node_name;
  self->send(session->second, pod_atom::value, std::move(sent));
}

caf::behavior pod_dispatcher(dispatcher_actor* self, const read_model* model) {
  return {
      // A session starts: the node gets its whole desired set, then changes.
      [=](session_atom, const std::string& name, const caf::actor& session) {
        self->state.sessions[name] = session;
        send_all_pods(self, model, name, session);
      },
      [=](session_atom, const std::string& name) { self->state.sessions.erase(name); },
      [=](committed_atom, const committed_batch& batch) {
        namespace_environments envs;  // the services as of now, for this batch's pods
        for (const auto& r : *batch)
          if (r.kind == object_kind::pod)
            pod_changed(self, model, r, envs);
      },
  };
}

}  // namespace

caf::actor spawn_pod_dispatcher(caf::actor_system& system, const read_model& model) {
  return system.spawn(pod_dispatcher, &model);
}

}  // namespace capstan::actors
