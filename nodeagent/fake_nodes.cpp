#include "nodeagent/fake_nodes.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "common/ipv4.hpp"

namespace capstan::nodeagent {

namespace {

using namespace messages;
using namespace actors;
using namespace common;

struct fake_nodes_state {
  std::set<std::string> alive;
  std::map<std::string, std::set<uint32_t>> used_ips;              // node -> host parts in use
  std::map<std::string, std::pair<std::string, uint32_t>> pod_ip;  // "ns/name" -> (node, host)
  static inline const char* name = "fake-nodes";
};

using fake_actor = caf::stateful_actor<fake_nodes_state>;

node make_node(const std::string& name, const fake_nodes_config& c, int index) {
  node n;
  n.metadata.name = name;
  n.metadata.labels = c.labels;
  n.metadata.labels["kubernetes.io/hostname"] = name;
  n.status.capacity = {{"cpu", quantity::from_milli(c.cpu_milli)},
                       {"memory", quantity::from_bytes(c.memory_bytes)},
                       {"pods", quantity::from_count(c.max_pods)}};
  n.status.allocatable = n.status.capacity;
  auto now = timestamp::now();
  n.status.conditions.push_back(
      {"Ready", "True", now, now, "KubeletReady", "kubelet is posting ready status"});
  n.status.addresses.push_back({"InternalIP", "127.0." + std::to_string(index / 250) + "." +
                                                  std::to_string(index % 250 + 1)});
  n.status.addresses.push_back({"Hostname", name});
  n.status.node_info = {
      "fake-" + name, "fake-" + name, "fake-boot",   "fake",  "capstan fake runtime",
      "fake://0.1",   "capstan-0.1",  "capstan-0.1", "linux", "amd64"};
  return n;
}

// The Running status of a pod just bound to `node_name`, as a status command (or nothing when
// the pod or node is gone).
std::optional<object_command> start_pod(fake_actor* self, const read_model* model,
                                        const std::string& node_name, const object_key& key) {
  auto current = model->get(object_kind::pod, key);
  std::string pod_cidr, host_ip;
  bool node_found = false;
  model->read_object(object_kind::node, {"", node_name}, [&](const any_object* o) {
    if (!o)
      return;
    node_found = true;
    const auto& n = std::get<node>(*o);
    pod_cidr = n.spec.pod_cidr;
    host_ip = n.status.addresses.empty() ? "" : n.status.addresses[0].address;
  });
  if (!current || !node_found)
    return std::nullopt;
  auto cidr = ipv4_cidr::parse(pod_cidr);
  auto& used = self->state.used_ips[node_name];
  uint32_t host = 2;
  while (used.count(host))
    ++host;
  used.insert(host);
  self->state.pod_ip[key.namespace_ + "/" + key.name] = {node_name, host};
  auto p = std::get<pod>(*current);
  auto now = timestamp::now();
  p.status.phase = "Running";
  p.status.host_ip = host_ip;
  p.status.pod_ip = cidr ? format_ipv4(cidr->network + host) : "";
  p.status.start_time = now;
  p.status.conditions = {{"PodScheduled", "True", {}, now, "", ""},
                         {"Initialized", "True", {}, now, "", ""},
                         {"ContainersReady", "True", {}, now, "", ""},
                         {"Ready", "True", {}, now, "", ""}};
  p.status.container_statuses.clear();
  for (const auto& c : p.spec.containers) {
    container_status cs;
    cs.name = c.name;
    cs.image = c.image;
    cs.image_id = "fake://" + c.image;
    cs.container_id = "fake://" + key.name + "-" + c.name;
    cs.ready = true;
    cs.state.running = container_state_running{now};
    p.status.container_statuses.push_back(std::move(cs));
  }
  p.metadata.resource_version.clear();
  return object_command{object_kind::pod, key, "system:node:" + node_name, status_op{std::move(p)},
                        true};
}

caf::behavior fake_nodes(fake_actor* self, const read_model* model, links to,
                         fake_nodes_config config) {
  for (int i = 0; i < config.count; ++i) {
    int index = config.first_index + i;
    std::string name = config.prefix + std::to_string(index);
    self->state.alive.insert(name);
    // A node that exists already (after a restart) just goes on heartbeating.
    self->request(to.nodes, caf::infinite,
                  create_command{make_node(name, config, index), "system:node:" + name, true})
        .then([](command_reply&) {}, [](const caf::error&) {});
  }
  self->send(self, heartbeat_atom::value);
  return {
      // The answer to statuses sent fire-and-forget: one that failed is superseded by the
      // next one (as a kubelet's is).
      [](std::vector<command_reply>&) {},
      [=](heartbeat_atom) {
        for (const auto& name : self->state.alive)
          self->send(to.lifecycle, heartbeat_atom::value, name);
        self->delayed_send(self, config.heartbeat, heartbeat_atom::value);
      },
      [=](stop_atom, const std::string& name) { self->state.alive.erase(name); },
      [=](committed_atom, const committed_batch& batch) {
        command_batch statuses;  // one message for the whole batch's new pods
        for (const auto& r : *batch) {
          if (r.kind != object_kind::pod)
            continue;
          if (auto* bound = std::get_if<pod_bound>(&r.event)) {
            if (self->state.alive.count(bound->node_name))
              if (auto status = start_pod(self, model, bound->node_name, {r.namespace_, r.name}))
                statuses.commands.push_back(std::move(*status));
          } else if (std::holds_alternative<object_deleted>(r.event)) {
            auto it = self->state.pod_ip.find(r.namespace_ + "/" + r.name);
            if (it != self->state.pod_ip.end()) {
              self->state.used_ips[it->second.first].erase(it->second.second);
              self->state.pod_ip.erase(it);
            }
          }
        }
        if (!statuses.commands.empty())
          self->send(to.pods, std::move(statuses));
      },
  };
}

}  // namespace

caf::actor spawn_fake_nodes(caf::actor_system& system, const actors::read_model& model, links to,
                            fake_nodes_config config) {
  return system.spawn(fake_nodes, &model, std::move(to), std::move(config));
}

}  // namespace capstan::nodeagent
