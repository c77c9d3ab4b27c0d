#include "actors/nodes/gateway_state.hpp"

#include <utility>

namespace capstan::actors {

using namespace messages;

gateway_session* gateway_state::join(const caf::actor_addr& addr, const node_agent_actor& handle,
                                     bool remote, const join_request& request, std::string nonce,
                                     bool& opened) {
  opened = false;
  auto it = sessions.find(addr);
  if (it == sessions.end()) {
    if (sessions.size() >= max_unproven_sessions + node_session.size())
      return nullptr;
    it = sessions.emplace(addr, gateway_session{}).first;
    it->second.handle = handle;
    it->second.remote = remote;
    opened = true;
  }
  it->second.nonce = std::move(nonce);
  it->second.pod_network = request.pod_network;
  it->second.pod_network_mode = request.pod_network_mode;
  it->second.service_proxy = request.service_proxy;
  return &it->second;
}

std::optional<std::string> gateway_state::take_challenge(const caf::actor_addr& addr) {
  auto it = sessions.find(addr);
  if (it == sessions.end() || it->second.nonce.empty())
    return std::nullopt;
  std::string nonce;
  nonce.swap(it->second.nonce);
  return nonce;
}

bool gateway_state::speaks_for(const caf::actor_addr& addr, const std::string& node_name) const {
  auto it = node_session.find(node_name);
  return it != node_session.end() && it->second == addr;
}

const gateway_session* gateway_state::session_of(const std::string& node_name) const {
  auto it = node_session.find(node_name);
  if (it == node_session.end())
    return nullptr;
  auto s = sessions.find(it->second);
  return s == sessions.end() ? nullptr : &s->second;
}

bool gateway_state::begin_registration(const std::string& node_name) {
  return registering.insert(node_name).second;
}

void gateway_state::end_registration(const std::string& node_name) {
  registering.erase(node_name);
}

std::vector<std::string> gateway_state::drop_nodes(const std::vector<std::string>& names) {
  std::vector<std::string> dropped;
  for (const auto& name : names) {
    auto it = node_session.find(name);
    if (it == node_session.end())
      continue;
    auto s = sessions.find(it->second);
    if (s != sessions.end())
      s->second.nodes.erase(name);
    node_session.erase(it);
    dropped.push_back(name);
  }
  return dropped;
}

std::optional<accepted_nodes> gateway_state::accept(const caf::actor_addr& addr,
                                                    const std::vector<std::string>& names) {
  auto s = sessions.find(addr);
  if (names.empty() || s == sessions.end())
    return std::nullopt;
  accepted_nodes out;
  out.first = s->second.nodes.empty();
  out.dropped = drop_nodes(names);  // from any older session of the same key
  for (const auto& name : names) {
    s->second.nodes.insert(name);
    node_session[name] = addr;
  }
  out.session = &s->second;
  return out;
}

std::optional<ended_session> gateway_state::end_session(const caf::actor_addr& addr) {
  auto it = sessions.find(addr);
  if (it == sessions.end())
    return std::nullopt;
  ended_session out;
  out.dropped = drop_nodes({it->second.nodes.begin(), it->second.nodes.end()});
  out.peer_address = it->second.peer_address;
  out.peer_port = it->second.peer_port;
  sessions.erase(it);
  return out;
}

bool gateway_state::needs_peer(const caf::actor_addr& addr) const {
  auto it = sessions.find(addr);
  return it != sessions.end() && it->second.remote && it->second.peer_port == 0;
}

bool gateway_state::set_peer(const caf::actor_addr& addr, const std::string& host, uint16_t port) {
  auto it = sessions.find(addr);
  if (it == sessions.end() || port == 0)
    return false;
  it->second.peer_address = host;
  it->second.peer_port = port;
  return true;
}

bool gateway_state::routes_wanted() const {
  for (const auto& [addr, s] : sessions)
    if (s.pod_network && !s.nodes.empty())
      return true;
  return false;
}

bool gateway_state::collect_statuses(const caf::actor_addr& addr, const store::cluster_state& s,
                                     pod_status_reports& reports) {
  bool was_empty = statuses.commands.empty() && confirmed_deletions.empty();
  for (auto& report : reports.reports) {
    if (!speaks_for(addr, report.node_name))
      continue;
    const auto* current = s.find<pod>({report.namespace_, report.name});
    if (!current || current->metadata.uid != report.uid ||
        current->spec.node_name != report.node_name)
      continue;  // gone, an older pod of that name, or no longer this node's
    if (report.terminated) {
      // The node confirms a graceful deletion: the pod goes (only one the master asked to end).
      if (!current->metadata.deletion_timestamp.empty())
        confirmed_deletions.push_back(object_command{
            object_kind::pod,
            {report.namespace_, report.name},
            "system:node:" + report.node_name,
            delete_op{"terminated on node " + report.node_name, report.uid, "", 0},
            true});
      continue;
    }
    auto p = *current;
    p.status = std::move(report.status);
    p.metadata.resource_version.clear();
    statuses.commands.push_back(object_command{object_kind::pod,
                                               {report.namespace_, report.name},
                                               "system:node:" + report.node_name,
                                               status_op{any_object(std::move(p))},
                                               true});
  }
  return was_empty && (!statuses.commands.empty() || !confirmed_deletions.empty());
}

std::vector<reported_event> gateway_state::collect_events(const caf::actor_addr& addr,
                                                         const store::cluster_state& s,
                                                         const pod_status_reports& reports) const {
  constexpr std::size_t max_text = 1024;
  std::vector<reported_event> events;
  for (const auto& e : reports.events) {
    if (!speaks_for(addr, e.node_name) || e.reason.empty() ||
        (e.type != "Normal" && e.type != "Warning"))
      continue;
    const auto* current = s.find<pod>({e.namespace_, e.name});
    if (!current || current->metadata.uid != e.uid || current->spec.node_name != e.node_name)
      continue;
    object_reference involved;
    involved.kind = "Pod";
    involved.api_version = "v1";
    involved.namespace_ = e.namespace_;
    involved.name = e.name;
    involved.uid = e.uid;
    events.push_back(reported_event{std::move(involved), e.type, e.reason.substr(0, 128),
                                    e.message.substr(0, max_text),
                                    event_source{"kubelet", e.node_name}});
  }
  return events;
}

std::vector<object_command> gateway_state::take_confirmed_deletions() {
  return std::exchange(confirmed_deletions, {});
}

command_batch gateway_state::take_statuses() {
  command_batch batch;
  batch.commands.swap(statuses.commands);
  return batch;
}

bool same_routes(const std::vector<node_route>& a, const std::vector<node_route>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].pod_cidr != b[i].pod_cidr || a[i].address != b[i].address)
      return false;
  return true;
}

node_routes routes_of(const store::cluster_state& s) {
  node_routes routes;
  for (const auto& [key, o] : s.of(object_kind::node)) {
    const auto& n = std::get<node>(o);
    node_route route{n.metadata.name, n.spec.pod_cidr, ""};
    for (const auto& a : n.status.addresses)
      if (a.type == "InternalIP")
        route.address = a.address;
    routes.nodes.push_back(std::move(route));
  }
  return routes;
}

}  // namespace capstan::actors
