#include "actors/controllers/endpoints_controller.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "messages/json_codec.hpp"
#include "messages/uid.hpp"

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

// How long a service whose Endpoints write failed waits for its next sync.
constexpr std::chrono::seconds retry_after{1};

struct endpoints_state {
  std::set<object_key> dirty;
  bool turn_pending = false;
  static inline const char* name = "endpoints-controller";
};

using ep_actor = caf::stateful_actor<endpoints_state>;

void mark_namespace(ep_actor* self, const read_model* model, const std::string& ns) {
  model->read([&](const store::cluster_state& s) {
    const auto& services = s.of(object_kind::service);
    for (auto it = services.lower_bound({ns, ""});
         it != services.end() && it->first.namespace_ == ns; ++it)
      if (!std::get<service>(it->second).spec.selector.empty())
        self->state.dirty.insert(it->first);
  });
}

void request_turn(ep_actor* self) {
  if (!self->state.turn_pending && !self->state.dirty.empty()) {
    self->state.turn_pending = true;
    self->send(self, tick_atom::value);
  }
}

void sync(ep_actor* self, const read_model* model, caf::actor journal, const object_key& key) {
  auto current = model->get(object_kind::service, key);
  auto existing = model->get(object_kind::endpoints, key);
  journal_record r;
  r.kind = object_kind::endpoints;
  r.namespace_ = key.namespace_;
  r.name = key.name;
  r.cause = "system:endpoints-controller";
  if (!current) {
    if (!existing)
      return;
    r.uid = meta_of(*existing).uid;
    r.event = object_deleted{"service deleted"};
  } else {
    const auto& svc = std::get<service>(*current);
    if (svc.spec.selector.empty())
      return;  // endpoints of a selector-less service are the user's to manage
    std::vector<pod> pods;
    model->for_each_pod(key.namespace_, label_selector::from_map(svc.spec.selector),
                        [&](const pod& p) { pods.push_back(p); });
    auto subsets = desired_subsets(svc, pods);
    if (existing &&
        to_json_part(std::get<endpoints>(*existing).subsets).dump(-1, ' ', false, messages::json::error_handler_t::replace) == to_json_part(subsets).dump(-1, ' ', false, messages::json::error_handler_t::replace))
      return;
    r.uid = existing ? meta_of(*existing).uid : new_uid();
    r.event = endpoints_changed{std::move(subsets)};
  }
  // One write at a time, so that two syncs of a service cannot land out of order. A write the
  // journal refused (a write error, a lost race) is synced again, from the read model, later.
  auto retry = [=] { self->delayed_send(self, retry_after, resync_atom::value, key); };
  self->request(journal, caf::infinite, append_atom::value,
                std::vector<journal_record>{std::move(r)})
      .await(
          [=](store::append_result& result) {
            if (!result.ok())
              retry();
          },
          [=](const caf::error&) { retry(); });
}

caf::behavior endpoints_controller(ep_actor* self, const read_model* model, caf::actor journal) {
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::service))
      self->state.dirty.insert(key);
    for (const auto& [key, o] : s.of(object_kind::endpoints))
      self->state.dirty.insert(key);  // endpoints whose service is gone get removed
  });
  request_turn(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch) {
          if (r.kind == object_kind::service)
            self->state.dirty.insert({r.namespace_, r.name});
          else if (r.kind == object_kind::pod)
            mark_namespace(self, model, r.namespace_);
        }
        request_turn(self);
      },
      // A service whose Endpoints write failed: synced again.
      [=](resync_atom, const object_key& key) {
        self->state.dirty.insert(key);
        request_turn(self);
      },
      [=](tick_atom) {
        self->state.turn_pending = false;
        for (int n = 0; n < 100 && !self->state.dirty.empty(); ++n) {
          object_key key = *self->state.dirty.begin();
          self->state.dirty.erase(self->state.dirty.begin());
          sync(self, model, journal, key);
        }
        request_turn(self);
      },
  };
}

}  // namespace

caf::actor spawn_endpoints_controller(caf::actor_system& system, const read_model& model,
                                      caf::actor journal) {
  return system.spawn(endpoints_controller, &model, std::move(journal));
}

}  // namespace capstan::actors
