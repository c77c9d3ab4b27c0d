#include "actors/controllers/endpoints_controller.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "messages/equal_fields.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

bool pod_ready(const pod& p) {
  if (p.status.phase != "Running" || !p.metadata.deletion_timestamp.empty())
    return false;
  for (const auto& c : p.status.conditions)
    if (c.type == "Ready")
      return c.status == "True";
  return false;
}

std::optional<int32_t> resolve(const int_or_string& target, const pod& p) {
  if (!target.is_string)
    return target.int_value;
  for (const auto& c : p.spec.containers)
    for (const auto& port : c.ports)
      if (port.name == target.string_value)
        return port.container_port;
  return std::nullopt;
}

}  // namespace

std::vector<endpoint_subset> desired_subsets(const service& svc, const std::vector<pod>& pods) {
  // Pods with the same resolved ports share a subset, as in Kubernetes' repacking.
  std::map<std::vector<std::pair<std::string, int32_t>>, endpoint_subset> by_ports;
  for (const auto& p : pods) {
    if (p.status.pod_ip.empty())
      continue;
    std::vector<std::pair<std::string, int32_t>> resolved;
    std::vector<endpoint_port> ports;
    for (const auto& sp : svc.spec.ports) {
      auto port = resolve(sp.target_port, p);
      if (!port)
        continue;
      resolved.emplace_back(sp.name, *port);
      ports.push_back({sp.name, *port, sp.protocol.empty() ? "TCP" : sp.protocol});
    }
    if (ports.empty())
      continue;
    auto& subset = by_ports[resolved];
    subset.ports = ports;
    endpoint_address address{p.status.pod_ip, "", p.spec.node_name,
                             object_reference{"Pod", p.metadata.namespace_, p.metadata.name,
                                              p.metadata.uid, "", "", ""}};
    (pod_ready(p) ? subset.addresses : subset.not_ready_addresses).push_back(std::move(address));
  }
  std::vector<endpoint_subset> out;
  for (auto& [ports, subset] : by_ports) {
    auto by_ip = [](const endpoint_address& a, const endpoint_address& b) { return a.ip < b.ip; };
    std::sort(subset.addresses.begin(), subset.addresses.end(), by_ip);
    std::sort(subset.not_ready_addresses.begin(), subset.not_ready_addresses.end(), by_ip);
    out.push_back(std::move(subset));
  }
  return out;
}

namespace {

struct endpoints_state {
  controller_queue<object_key> queue;  // services (and Endpoints) to sync
  static inline const char* name = "endpoints-controller";
};

using ep_self = controller_impl_actor::stateful_pointer<endpoints_state>;

// Queues every service of `ns` with a selector: a pod of the namespace changed.
void add_namespace(ep_self self, const read_model* model, const std::string& ns) {
  model->read([&](const store::cluster_state& s) {
    const auto& services = s.of(object_kind::service);
    for (auto it = services.lower_bound({ns, ""});
         it != services.end() && it->first.namespace_ == ns; ++it)
      if (!std::get<service>(it->second).spec.selector.empty())
        self->state.queue.add(it->first);
  });
}

void add_all(ep_self self, const read_model* model) {
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::service))
      self->state.queue.add(key);
    for (const auto& [key, o] : s.of(object_kind::endpoints))
      self->state.queue.add(key);  // endpoints whose service is gone get removed
  });
}

// The command that brings the Endpoints of `key` to what its service wants, if any: a create
// for a service without Endpoints yet, a subsets change, a delete once the service is gone.
std::optional<std::variant<create_command, object_command>> plan_sync(const read_model* model,
                                                                      const object_key& key) {
  static const std::string cause = "system:endpoints-controller";
  auto current = model->get(object_kind::service, key);
  auto existing = model->get(object_kind::endpoints, key);
  if (!current) {
    if (!existing)
      return std::nullopt;
    return object_command{object_kind::endpoints, key, cause,
                          delete_op{"service deleted", meta_of(*existing).uid, "", std::nullopt}, true};
  }
  const auto& svc = std::get<service>(*current);
  if (svc.spec.selector.empty())
    return std::nullopt;  // endpoints of a selector-less service are the user's to manage
  std::vector<pod> pods;
  model->for_each_pod(key.namespace_, label_selector::from_map(svc.spec.selector),
                      [&](const pod& p) { pods.push_back(p); });
  auto subsets = desired_subsets(svc, pods);
  if (!existing) {
    endpoints created;
    created.metadata.name = key.name;
    created.metadata.namespace_ = key.namespace_;
    created.subsets = std::move(subsets);
    return create_command{std::move(created), cause, true};
  }
  if (equal_fields(std::get<endpoints>(*existing).subsets, subsets))
    return std::nullopt;
  return object_command{object_kind::endpoints, key, cause, endpoints_op{std::move(subsets)}, true};
}

// One write per service at a time (the queue holds a key until its write is answered), so two
// syncs of a service cannot land out of order. A refused write is logged and retried.
void sync(ep_self self, const read_model* model, const registry_actor& registry,
          const object_key& key) {
  auto command = plan_sync(model, key);
  if (!command) {
    self->state.queue.succeeded(self, key);
    return;
  }
  auto answered = [=](command_reply& reply) {
    // NotFound/AlreadyExists: the world moved meanwhile (the record that moved it queues the
    // service again); anything else is tried again after its back-off.
    if (reply.ok() || reply.error->code == error_code::not_found ||
        reply.error->code == error_code::already_exists)
      self->state.queue.succeeded(self, key);
    else
      self->state.queue.failed(self, key, reply.error->message);
  };
  auto lost = [=](const caf::error& e) {
    self->state.queue.failed(self, key, "endpoints registry unavailable: " + caf::to_string(e));
  };
  if (auto* create = std::get_if<create_command>(&*command))
    self->request(registry, caf::infinite, std::move(*create)).then(answered, lost);
  else
    self->request(registry, caf::infinite, std::get<object_command>(std::move(*command)))
        .then(answered, lost);
}

controller_impl_actor::behavior_type endpoints_controller(ep_self self, const read_model* model,
                                                          registry_actor registry,
                                                          controller_options options) {
  self->state.queue.configure(endpoints_state::name, std::move(options));
  add_all(self, model);
  self->state.queue.request_turn(self);
  self->state.queue.schedule_resync(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        std::string last_namespace;  // a burst of pods of one namespace queues it once
        for (const auto& r : *batch) {
          if (r.kind == object_kind::service || r.kind == object_kind::endpoints) {
            self->state.queue.add({r.namespace_, r.name});
          } else if (r.kind == object_kind::pod && r.namespace_ != last_namespace) {
            add_namespace(self, model, r.namespace_);
            last_namespace = r.namespace_;
          }
        }
        self->state.queue.request_turn(self);
      },
      [=](resync_atom) {
        add_all(self, model);
        self->state.queue.request_turn(self);
        self->state.queue.schedule_resync(self);
      },
      [=](tick_atom) {
        self->state.queue.begin_turn(self);
        for (int n = 0; n < 100; ++n) {
          auto key = self->state.queue.next(self);
          if (!key)
            break;
          sync(self, model, registry, *key);
        }
        self->state.queue.request_turn(self);
      },
  };
}

}  // namespace

controller_actor spawn_endpoints_controller(caf::actor_system& system, const read_model& model,
                                            registry_actor endpoints_registry,
                                            controller_options options) {
  return system.spawn(endpoints_controller, &model, std::move(endpoints_registry),
                      std::move(options));
}

}  // namespace capstan::actors
