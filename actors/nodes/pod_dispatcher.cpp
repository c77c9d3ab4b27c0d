#include "actors/nodes/pod_dispatcher.hpp"

#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "actors/nodes/config_env.hpp"
#include "actors/nodes/config_volumes.hpp"
#include "actors/nodes/pull_secrets.hpp"
#include "actors/nodes/service_env.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct dispatcher_state {
  std::map<std::string, node_agent_actor> sessions;  // node -> its session
  // Pod -> the node it was sent to, as that node's number in `node_names`: one entry per pod
  // sent, so it costs the pod's key and four bytes rather than a copy of the node's name.
  std::unordered_map<object_key, uint32_t> pod_node;
  // The names of the nodes pods were sent to, numbered in the order first seen (bounded by the
  // nodes that ever held a session here).
  std::vector<std::string> node_names;
  std::unordered_map<std::string, uint32_t> node_numbers;
  uint32_t node_number(const std::string& node) {
    auto [it, added] = node_numbers.try_emplace(node, static_cast<uint32_t>(node_names.size()));
    if (added)
      node_names.push_back(node);
    return it->second;
  }
  static inline const char* name = "pod-dispatcher";
};

using dispatcher_self = pod_dispatcher_actor::stateful_pointer<dispatcher_state>;

// The service variables of each namespace, computed once per round of sends rather than
// once per pod (they depend on the namespace's services only).
using namespace_environments = std::map<std::string, std::vector<env_var>>;

// A pod as its node receives it, with the files of its secret and configMap volumes.
struct pod_delivery {
  pod spec;
  std::vector<config_volume> volumes;
};

// The Warning event of a pod held back: `reason` Failed (env) or FailedMount (volumes).
reported_event held_event(const pod& p, const char* reason, std::string message) {
  object_reference involved;
  involved.kind = "Pod";
  involved.api_version = "v1";
  involved.namespace_ = p.metadata.namespace_;
  involved.name = p.metadata.name;
  involved.uid = p.metadata.uid;
  event_source source;
  source.component = "kubelet";
  source.host = p.spec.node_name;
  return {std::move(involved), "Warning", reason, std::move(message), std::move(source)};
}

// The pod as its node receives it: with the service variables of its namespace (and the
// API's), the values it takes from ConfigMaps and Secrets and its volumes' files; or nothing
// when one it needs is missing (then `held` gets the pod's Warning event, and the pod goes out
// once it appears).
std::optional<pod_delivery> for_node(const store::cluster_state& s, const pod& p,
                                     namespace_environments& envs,
                                     std::vector<reported_event>& held) {
  auto volumes = config_volumes_of(p, s);
  if (auto* why = std::get_if<std::string>(&volumes)) {
    held.push_back(held_event(p, "FailedMount", std::move(*why)));
    return std::nullopt;
  }
  auto configured = with_config_environment(p, s);
  if (auto* why = std::get_if<std::string>(&configured)) {
    held.push_back(
        held_event(p, "Failed", "Error: " + *why + " (CreateContainerConfigError)"));
    return std::nullopt;
  }
  auto found = envs.find(p.metadata.namespace_);
  if (found == envs.end()) {
    std::vector<service> services;
    const auto& table = s.of(object_kind::service);
    for (auto it = table.lower_bound({p.metadata.namespace_, ""});
         it != table.end() && it->first.namespace_ == p.metadata.namespace_; ++it)
      services.push_back(std::get<service>(it->second));
    // The API's own Service is every pod's, as the kubelet adds it (KUBERNETES_SERVICE_HOST,
    // KUBERNETES_SERVICE_PORT: where in-cluster clients find the API).
    if (p.metadata.namespace_ != "default")
      if (const auto* api = s.find<service>({"default", "kubernetes"}))
        services.push_back(*api);
    found = envs.emplace(p.metadata.namespace_, service_environment(services)).first;
  }
  return pod_delivery{with_service_environment(std::get<pod>(std::move(configured)), found->second),
                      std::get<std::vector<config_volume>>(std::move(volumes))};
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
  const std::string& node = self->state.node_names[it->second];
  auto session = self->state.sessions.find(node);
  if (session != self->state.sessions.end())
    out.entry(session->second, node).gone.push_back({r.namespace_, r.name, r.uid});
  self->state.pod_node.erase(it);
}

// Whether the pod's containers have started on its node (then a missing ConfigMap or Secret
// no longer holds it back: what it took is in its containers already).
bool has_started(const pod& p) {
  if (p.status.phase != "Pending" && !p.status.phase.empty())
    return true;
  for (const auto& c : p.status.container_statuses)
    if (c.state.running || c.state.terminated || c.restart_count > 0)
      return true;
  return false;
}

// Adds `p` to its node's entry of `out`, configured, with its registry credentials; a pod held
// back for a missing ConfigMap or Secret is not sent (unless it runs already: then as it is, the
// node keeps what it started).
void send_pod(dispatcher_self self, const store::cluster_state& s, const pod& p,
              node_pods& entry, namespace_environments& envs,
              std::vector<reported_event>& held) {
  auto delivery = for_node(s, p, envs, held);
  // A pod that started keeps what it took; a pod being deleted goes out as it is, so that its
  // node confirms the deletion (it never starts it).
  if (!delivery && (has_started(p) || !p.metadata.deletion_timestamp.empty()))
    delivery = pod_delivery{p, {}};
  if (!delivery)
    return;
  self->state.pod_node[{p.metadata.namespace_, p.metadata.name}] =
      self->state.node_number(entry.node_name);
  entry.pods.push_back(std::move(delivery->spec));
  for (auto& v : delivery->volumes)
    entry.config_volumes.push_back(std::move(v));
  if (auto auth = pull_auth_file(p, s))
    entry.pull_auths.push_back({p.metadata.uid, std::move(*auth)});
}

// The pods a batch created or changed (not the nodes' own status reports: no echo), and those
// that take something from a ConfigMap or Secret the batch created or changed, as they are
// now, to their nodes' sessions — read under one lock of the read model per batch.
void pods_changed(dispatcher_self self, read_model* model, const std::vector<object_key>& changed,
                  const std::vector<std::pair<object_kind, object_key>>& config_changed,
                  round_outbox& out) {
  if (changed.empty() && config_changed.empty())
    return;
  namespace_environments envs;  // the services as of now, for this batch's pods
  std::vector<reported_event> held;
  model->read([&](const store::cluster_state& s) {
    std::set<object_key> sent;
    auto send = [&](const pod& p) {
      if (p.spec.node_name.empty() || !sent.insert({p.metadata.namespace_, p.metadata.name}).second)
        return;
      auto session = self->state.sessions.find(p.spec.node_name);
      if (session != self->state.sessions.end())
        send_pod(self, s, p, out.entry(session->second, p.spec.node_name), envs, held);
    };
    for (const auto& key : changed)
      if (const auto* p = s.find<pod>(key))
        send(*p);
    // A pod that waits for a ConfigMap or Secret starts when it appears; a running one gets the
    // new values where it can take them.
    const auto& pods = s.of(object_kind::pod);
    for (const auto& [kind, key] : config_changed)
      for (auto it = pods.lower_bound({key.namespace_, ""});
           it != pods.end() && it->first.namespace_ == key.namespace_; ++it) {
        const auto& p = std::get<pod>(it->second);
        if (uses_config_object(p, kind, key.name) ||
            (kind == object_kind::secret && pulls_with_secret(p, key.name)))
          send(p);
      }
  });
  if (!held.empty())
    model->record_reported_events(std::move(held));
}

pod_dispatcher_actor::behavior_type pod_dispatcher(dispatcher_self self, read_model* model) {
  return {
      // Sessions start: each node gets its whole desired set, all in one message.
      [=](session_atom, const std::vector<node_name>& names, const node_agent_actor& session) {
        round_outbox out;
        namespace_environments envs;
        std::vector<reported_event> held;
        for (const auto& [name] : names) {
          self->state.sessions[name] = session;
          auto& e = out.entry(session, name);
          e.full = true;
          model->for_each_pod_on_node(name, [&](const store::cluster_state& s, const pod& p) {
            send_pod(self, s, p, e, envs, held);
          });
        }
        out.send_all(self);
        if (!held.empty())
          model->record_reported_events(std::move(held));
      },
      [=](session_atom, const std::vector<node_name>& names) {
        for (const auto& name : names)
          self->state.sessions.erase(name.value);
      },
      [=](committed_atom, const committed_batch& batch) {
        round_outbox out;
        std::vector<object_key> changed;
        std::vector<std::pair<object_kind, object_key>> config_changed;
        for (const auto& r : *batch) {
          if ((r.kind == object_kind::secret || r.kind == object_kind::config_map) &&
              !std::holds_alternative<object_deleted>(r.event)) {
            config_changed.push_back({r.kind, {r.namespace_, r.name}});
            continue;
          }
          if (r.kind != object_kind::pod || std::holds_alternative<pod_status_changed>(r.event))
            continue;
          if (std::holds_alternative<object_deleted>(r.event))
            pod_deleted(self, r, out);
          else
            changed.push_back({r.namespace_, r.name});
        }
        pods_changed(self, model, changed, config_changed, out);
        out.send_all(self);
      },
  };
}

}  // namespace

pod_dispatcher_actor spawn_pod_dispatcher(caf::actor_system& system, read_model& model) {
  return system.spawn(pod_dispatcher, &model);
}

}  // namespace capstan::actors
