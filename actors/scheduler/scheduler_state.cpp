#include "actors/scheduler/scheduler_state.hpp"

#include <algorithm>
#include <map>

namespace capstan::actors {

namespace {

using namespace messages;

bool is_ready(const node& n) {
  for (const auto& c : n.status.conditions)
    if (c.type == "Ready")
      return c.status == "True";
  return false;
}

int64_t allocatable(const node& n, const char* resource, bool bytes) {
  auto it = n.status.allocatable.find(resource);
  if (it == n.status.allocatable.end()) {
    it = n.status.capacity.find(resource);
    if (it == n.status.capacity.end())
      return 0;
  }
  return bytes || std::string(resource) == "pods" ? it->second.value() : it->second.milli();
}

}  // namespace

pod_request scheduler_state::request_of(const pod& p) {
  pod_request r;
  for (const auto& c : p.spec.containers) {
    // Requests, or limits where no request is given (they default to each other).
    auto cpu = c.resources.requests.count("cpu") ? c.resources.requests.at("cpu")
               : c.resources.limits.count("cpu") ? c.resources.limits.at("cpu")
                                                 : quantity{};
    auto mem = c.resources.requests.count("memory") ? c.resources.requests.at("memory")
               : c.resources.limits.count("memory") ? c.resources.limits.at("memory")
                                                    : quantity{};
    r.cpu_milli += cpu.milli();
    r.memory_bytes += mem.value();
    for (const auto& port : c.ports)
      if (port.host_port)
        r.host_ports.insert({port.host_port, port.protocol.empty() ? "TCP" : port.protocol});
  }
  r.node_selector = p.spec.node_selector;
  for (const auto& o : p.metadata.owner_references)
    if (o.controller.value_or(false))
      r.spread_key = o.uid;
  return r;
}

scheduler_state::pod_entry scheduler_state::entry_of(const pod_request& request,
                                                     const std::string& node) {
  pod_entry entry;
  entry.cpu_milli = request.cpu_milli;
  entry.memory_bytes = request.memory_bytes;
  if (!request.host_ports.empty() || !request.node_selector.empty())
    entry.constraints = std::make_unique<const pod_constraints>(
        pod_constraints{request.host_ports, request.node_selector});
  entry.spread_id = request.spread_id != 0 ? request.spread_id : spread_id_of(request.spread_key);
  entry.node = node_number(node);
  return entry;
}

pod_request scheduler_state::request_of(const pod_entry& entry) const {
  pod_request r;
  r.cpu_milli = entry.cpu_milli;
  r.memory_bytes = entry.memory_bytes;
  if (entry.constraints) {
    r.host_ports = entry.constraints->host_ports;
    r.node_selector = entry.constraints->node_selector;
  }
  r.spread_id = entry.spread_id;
  return r;
}

uint32_t scheduler_state::node_number(const std::string& name) {
  if (name.empty())
    return 0;
  auto [it, added] = node_numbers_.emplace(name, static_cast<uint32_t>(node_names_.size() + 1));
  if (added)
    node_names_.push_back(name);
  return it->second;
}

const std::string& scheduler_state::node_name(uint32_t number) const {
  static const std::string none;
  return number == 0 || number > node_names_.size() ? none : node_names_[number - 1];
}

uint32_t scheduler_state::spread_id_of(const std::string& key) {
  if (key.empty())
    return 0;
  return spread_ids.emplace(key, static_cast<uint32_t>(spread_ids.size() + 1)).first->second;
}

namespace {

// Adds (sign 1) or takes away (-1) what `entry` holds to a node's accounting.
template <class Held>
void account(Held& held, const scheduler_state::pod_entry& entry, int sign) {
  held.cpu_requested += sign * entry.cpu_milli;
  held.memory_requested += sign * entry.memory_bytes;
  held.pods += sign;
  if (entry.constraints)
    for (const auto& p : entry.constraints->host_ports) {
      if (sign > 0)
        held.host_ports.insert(p);
      else if (auto found = held.host_ports.find(p); found != held.host_ports.end())
        held.host_ports.erase(found);
    }
}

}  // namespace

void scheduler_state::add_to_node(const pod_entry& entry, int sign) {
  if (entry.node == 0 || entry.terminal)
    return;
  if (auto it = node_index.find(node_name(entry.node)); it != node_index.end()) {
    account(nodes[it->second], entry, sign);
  } else {
    // A node the view does not have (deleted, or not known yet): kept by its number for when
    // it comes (back), and dropped when its last pod goes.
    auto& held = absent_nodes_[entry.node];
    account(held, entry, sign);
    if (held.pods <= 0 && held.host_ports.empty())
      absent_nodes_.erase(entry.node);
  }
  if (entry.spread_id != 0) {
    auto& counts = spread_nodes_[entry.spread_id];
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == entry.node; });
    if (it == counts.end() && sign > 0) {
      counts.emplace_back(entry.node, sign);
    } else if (it != counts.end()) {
      it->second += sign;
      if (it->second <= 0) {
        *it = counts.back();
        counts.pop_back();
        if (counts.empty())
          spread_nodes_.erase(entry.spread_id);
      }
    }
  }
}

void scheduler_state::mark_spread(uint32_t spread_id, bool placing) {
  auto counts = spread_nodes_.find(spread_id);
  if (counts == spread_nodes_.end())
    return;
  for (const auto& [number, pods] : counts->second)
    if (auto it = node_index.find(node_name(number)); it != node_index.end())
      nodes[it->second].placing_spread = placing ? pods : 0;
}

void scheduler_state::requeue_unschedulable() {
  for (const auto& [pod, reason] : unschedulable)
    queue.push_back(pod);
  unschedulable.clear();
}

void scheduler_state::upsert_node(const node& n) {
  auto it = node_index.find(n.metadata.name);
  if (it == node_index.end()) {
    it = node_index.emplace(n.metadata.name, nodes.size()).first;
    nodes.emplace_back();
    nodes.back().name = n.metadata.name;
    // What its pods hold, when pods were bound to it while the view did not have it.
    if (auto held = absent_nodes_.find(node_number(n.metadata.name)); held != absent_nodes_.end()) {
      auto& v = nodes.back();
      v.cpu_requested = held->second.cpu_requested;
      v.memory_requested = held->second.memory_requested;
      v.pods = held->second.pods;
      v.host_ports = std::move(held->second.host_ports);
      absent_nodes_.erase(held);
    }
  }
  auto& v = nodes[it->second];
  v.ready = is_ready(n);
  v.unschedulable = n.spec.unschedulable;
  v.labels = n.metadata.labels;
  v.cpu_allocatable = allocatable(n, "cpu", false);
  v.memory_allocatable = allocatable(n, "memory", true);
  v.pods_allocatable = allocatable(n, "pods", false);
}

void scheduler_state::load(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::node))
    upsert_node(std::get<node>(o));
  for (const auto& [key, o] : state.of(object_kind::pod)) {
    const auto& p = std::get<pod>(o);
    pod_entry entry = entry_of(request_of(p), p.spec.node_name);
    entry.terminal = p.status.phase == "Succeeded" || p.status.phase == "Failed";
    add_to_node(entry, +1);
    if (entry.node == 0 && p.metadata.deletion_timestamp.empty())
      queue.push_back(key);
    pods[key] = std::move(entry);
  }
}

void scheduler_state::observe(const journal_record& r) {
  store::object_key id{r.namespace_, r.name};
  if (r.kind == object_kind::node) {
    if (auto* c = std::get_if<object_created>(&r.event)) {
      upsert_node(std::get<node>(c->object));
    } else if (auto* u = std::get_if<object_updated>(&r.event)) {
      upsert_node(std::get<node>(u->object));
    } else if (std::holds_alternative<object_deleted>(r.event)) {
      auto it = node_index.find(r.name);
      if (it != node_index.end()) {
        // Swap-remove; what its pods hold is kept by the node's number until they go (or it
        // comes back under the same name).
        std::size_t i = it->second;
        const node_view& gone = nodes[i];
        if (gone.pods > 0 || !gone.host_ports.empty()) {
          auto& held = absent_nodes_[node_number(gone.name)];
          held.cpu_requested = gone.cpu_requested;
          held.memory_requested = gone.memory_requested;
          held.pods = gone.pods;
          held.host_ports = gone.host_ports;
        }
        node_index.erase(it);
        if (i != nodes.size() - 1) {
          nodes[i] = std::move(nodes.back());
          node_index[nodes[i].name] = i;
        }
        nodes.pop_back();
      }
      return;
    } else if (auto* ready = std::get_if<node_ready_changed>(&r.event)) {
      if (auto it = node_index.find(r.name); it != node_index.end())
        nodes[it->second].ready = ready->ready;
    } else if (auto* labels = std::get_if<labels_changed>(&r.event)) {
      if (auto it = node_index.find(r.name); it != node_index.end())
        nodes[it->second].labels = labels->labels;
    } else if (auto* status = std::get_if<node_status_changed>(&r.event)) {
      if (auto it = node_index.find(r.name); it != node_index.end()) {
        node n;
        n.metadata.name = r.name;
        n.metadata.labels = nodes[it->second].labels;
        n.spec.unschedulable = nodes[it->second].unschedulable;
        n.status = status->status;
        upsert_node(n);
      }
    }
    requeue_unschedulable();  // a node changed: pods that did not fit may fit now
    return;
  }
  if (r.kind != object_kind::pod)
    return;
  if (auto* c = std::get_if<object_created>(&r.event)) {
    const auto& p = std::get<pod>(c->object);
    pod_entry entry = entry_of(request_of(p), p.spec.node_name);
    add_to_node(entry, +1);
    bool pending = entry.node == 0;
    pods[id] = std::move(entry);
    if (pending)
      queue.push_back(id);
  } else if (auto* bound = std::get_if<pod_bound>(&r.event)) {
    reported.erase(id);
    auto it = pods.find(id);
    if (it != pods.end() && node_name(it->second.node) != bound->node_name) {
      add_to_node(it->second, -1);  // someone else bound it (or our assumption differed)
      it->second.node = node_number(bound->node_name);
      add_to_node(it->second, +1);
    }
  } else if (auto* status = std::get_if<pod_status_changed>(&r.event)) {
    auto it = pods.find(id);
    bool terminal = status->status.phase == "Succeeded" || status->status.phase == "Failed";
    if (it != pods.end() && terminal && !it->second.terminal) {
      add_to_node(it->second, -1);
      it->second.terminal = true;
      requeue_unschedulable();
    }
  } else if (std::holds_alternative<object_deleted>(r.event)) {
    auto it = pods.find(id);
    if (it != pods.end()) {
      add_to_node(it->second, -1);
      pods.erase(it);
      unschedulable.erase(id);
      reported.erase(id);
      requeue_unschedulable();  // freed resources
    }
  }
}

placement scheduler_state::place(const pod_request& asked) {
  // Requests built outside this state (tests, tools) may not carry their spread number yet.
  std::optional<pod_request> numbered;
  if (asked.spread_id == 0 && !asked.spread_key.empty()) {
    numbered = asked;
    numbered->spread_id = spread_id_of(asked.spread_key);
  }
  const pod_request& pod = numbered ? *numbered : asked;
  placement result;
  if (nodes.empty()) {
    result.reason = "0/0 nodes are available: no nodes registered.";
    return result;
  }
  const std::size_t total = nodes.size();
  const std::size_t wanted = std::max(min_feasible, total * feasible_percent / 100);
  std::vector<std::size_t> feasible;
  std::map<std::string, int> failures;
  std::size_t start = next_start % total, checked = 0;
  for (; checked < total && feasible.size() < wanted; ++checked) {
    std::size_t i = (start + checked) % total;
    std::string reason;
    bool ok = true;
    for (const auto& f : filter_plugins())
      if (!f.fits(pod, nodes[i], reason)) {
        ok = false;
        ++failures[reason];
        break;
      }
    if (ok)
      feasible.push_back(i);
  }
  next_start = start + checked;
  if (feasible.empty()) {
    result.reason = "0/" + std::to_string(total) + " nodes are available:";
    bool first = true;
    for (const auto& [reason, count] : failures) {
      result.reason += (first ? " " : ", ") + std::to_string(count) + " " + reason;
      first = false;
    }
    result.reason += ".";
    return result;
  }
  int64_t best_score = -1;
  std::size_t best = feasible.front();
  mark_spread(pod.spread_id, true);
  for (std::size_t i : feasible) {
    int64_t s = 0;
    for (const auto& p : score_plugins())
      s += p.weight * p.score(pod, nodes[i]);
    if (s > best_score) {
      best_score = s;
      best = i;
    }
  }
  mark_spread(pod.spread_id, false);
  result.node = nodes[best].name;
  return result;
}

void scheduler_state::assume(const store::object_key& pod, const std::string& node) {
  auto it = pods.find(pod);
  if (it == pods.end())
    return;
  it->second.node = node_number(node);
  add_to_node(it->second, +1);
}

void scheduler_state::forget(const store::object_key& pod) {
  auto it = pods.find(pod);
  if (it == pods.end())
    return;
  add_to_node(it->second, -1);
  it->second.node = 0;
}

}  // namespace capstan::actors
