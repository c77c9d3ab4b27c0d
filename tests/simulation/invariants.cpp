#include "tests/simulation/invariants.hpp"

#include <map>
#include <set>

#include "messages/equal_fields.hpp"
#include "messages/json_codec.hpp"
#include "store/apply.hpp"

namespace capstan::simulation {

using namespace messages;

namespace {

std::string where(object_kind kind, const object_key& key) {
  return std::string(info(kind).name) + " " +
         (key.namespace_.empty() ? key.name : key.namespace_ + "/" + key.name);
}

bool same_object(const any_object& a, const any_object& b) {
  if (a.index() != b.index())
    return false;
  return std::visit(
      [&](const auto& x) { return equal_fields(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
}

bool active(const pod& p) {
  return p.metadata.deletion_timestamp.empty() && p.status.phase != "Succeeded" &&
         p.status.phase != "Failed";
}

bool ready(const pod& p) {
  if (p.status.phase != "Running" || !p.metadata.deletion_timestamp.empty() ||
      p.status.pod_ip.empty())
    return false;
  for (const auto& c : p.status.conditions)
    if (c.type == "Ready")
      return c.status == "True";
  return false;
}

bool matches(const string_map& selector, const string_map& labels) {
  for (const auto& [k, v] : selector) {
    auto l = labels.find(k);
    if (l == labels.end() || l->second != v)
      return false;
  }
  return true;
}

// The active pods of `ns` matching `selector` (none for an empty selector).
int count_active(const store::cluster_state& state, const std::string& ns,
                 const string_map& selector) {
  int n = 0;
  for (const auto& [key, o] : state.of(object_kind::pod))
    n += key.namespace_ == ns && !selector.empty() && active(std::get<pod>(o)) &&
         matches(selector, std::get<pod>(o).metadata.labels);
  return n;
}

}  // namespace

std::string compare_states(const store::cluster_state& expected,
                           const store::cluster_state& actual) {
  if (expected.seq != actual.seq)
    return "at seq " + std::to_string(actual.seq) + ", expected seq " +
           std::to_string(expected.seq);
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    auto kind = static_cast<object_kind>(k);
    const auto& want = expected.of(kind);
    const auto& have = actual.of(kind);
    for (const auto& [key, o] : want) {
      auto it = have.find(key);
      if (it == have.end())
        return where(kind, key) + " is missing";
      if (!same_object(o, it->second))
        return where(kind, key) + " differs: expected " + to_json(o).dump() + ", have " +
               to_json(it->second).dump();
    }
    for (const auto& [key, o] : have)
      if (!want.count(key))
        return where(kind, key) + " should not exist";
  }
  return "";
}

std::string model_matches_journal(const actors::read_model& model,
                                  const std::vector<journal_record>& journal,
                                  store::cluster_state& replayed) {
  for (uint64_t seq = replayed.seq + 1; seq <= journal.size(); ++seq)
    store::apply(replayed, journal[seq - 1]);
  std::string out;
  model.read([&](const store::cluster_state& live) { out = compare_states(replayed, live); });
  return out.empty() ? "" : "the read model differs from the replayed journal: " + out;
}

std::string allocations_unique(const store::cluster_state& state) {
  std::map<std::string, std::string> ips, ports, cidrs;
  for (const auto& [key, o] : state.of(object_kind::service)) {
    const auto& s = std::get<service>(o);
    const std::string name = key.namespace_ + "/" + key.name;
    if (!s.spec.cluster_ip.empty() && s.spec.cluster_ip != "None") {
      auto [it, fresh] = ips.emplace(s.spec.cluster_ip, name);
      if (!fresh)
        return "ClusterIP " + s.spec.cluster_ip + " held by " + it->second + " and " + name;
    }
    for (const auto& p : s.spec.ports)
      if (p.node_port != 0) {
        auto [it, fresh] = ports.emplace(std::to_string(p.node_port), name);
        if (!fresh && it->second != name)
          return "NodePort " + it->first + " held by " + it->second + " and " + name;
      }
  }
  for (const auto& [key, o] : state.of(object_kind::node)) {
    const auto& cidr = std::get<node>(o).spec.pod_cidr;
    if (cidr.empty())
      continue;
    auto [it, fresh] = cidrs.emplace(cidr, key.name);
    if (!fresh)
      return "pod CIDR " + cidr + " held by nodes " + it->second + " and " + key.name;
  }
  return "";
}

std::string acknowledged_in_journal(const std::vector<acknowledged_write>& acknowledged,
                                    std::size_t from, const std::vector<journal_record>& journal) {
  for (std::size_t i = from; i < acknowledged.size(); ++i) {
    const auto& a = acknowledged[i];
    std::string what = where(a.kind, a.key) + " (acknowledged at step " + std::to_string(a.step) +
                       " as seq " + std::to_string(a.seq) + ")";
    if (a.seq == 0 || a.seq > journal.size())
      return "an acknowledged write is not in the journal: " + what;
    const auto& r = journal[a.seq - 1];
    if (r.kind != a.kind || r.namespace_ != a.key.namespace_ || r.name != a.key.name)
      return "the journal's record " + std::to_string(a.seq) + " is " +
             where(r.kind, {r.namespace_, r.name}) + ", not " + what;
  }
  return "";
}

std::string bound_pods_on_existing_nodes(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::pod)) {
    const auto& p = std::get<pod>(o);
    if (!p.spec.node_name.empty() && !state.of(object_kind::node).count({"", p.spec.node_name}))
      return "pod " + key.namespace_ + "/" + key.name + " is bound to node " + p.spec.node_name +
             ", which does not exist";
  }
  return "";
}

std::string rcs_at_replicas(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::replication_controller)) {
    const auto& rc = std::get<replication_controller>(o);
    if (rc.spec.selector.empty())
      continue;
    const int have = count_active(state, key.namespace_, rc.spec.selector);
    const int want = rc.spec.replicas.value_or(1);
    if (have != want)
      return "settled, RC " + key.namespace_ + "/" + key.name + " has " + std::to_string(have) +
             " active pods, replicas " + std::to_string(want);
  }
  return "";
}

std::string endpoints_match_ready_pods(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::endpoints))
    if (!state.of(object_kind::service).count(key))
      return "Endpoints " + key.namespace_ + "/" + key.name + " exist without their service";
  for (const auto& [key, o] : state.of(object_kind::service)) {
    const auto& svc = std::get<service>(o);
    if (svc.spec.selector.empty())
      continue;
    const std::string name = key.namespace_ + "/" + key.name;
    const auto* ep = state.find<endpoints>(key);
    if (!ep)
      return "service " + name + " has no Endpoints";
    std::set<std::string> listed, wanted;
    for (const auto& subset : ep->subsets)
      for (const auto& a : subset.addresses)
        listed.insert(a.target_ref ? a.target_ref->name : a.ip);
    for (const auto& [pk, po] : state.of(object_kind::pod)) {
      const auto& p = std::get<pod>(po);
      if (pk.namespace_ == key.namespace_ && ready(p) && matches(svc.spec.selector, p.metadata.labels))
        wanted.insert(pk.name);
    }
    if (listed != wanted)
      return "Endpoints " + name + " list " + std::to_string(listed.size()) +
             " ready pods, the selector matches " + std::to_string(wanted.size());
  }
  return "";
}

std::string rc_status_current(const store::cluster_state& state) {
  for (const auto& [key, o] : state.of(object_kind::replication_controller)) {
    const auto& rc = std::get<replication_controller>(o);
    const int have = count_active(state, key.namespace_, rc.spec.selector);
    if (!rc.spec.selector.empty() && rc.status.replicas != have)
      return "RC " + key.namespace_ + "/" + key.name + " status says " +
             std::to_string(rc.status.replicas) + " replicas, it has " + std::to_string(have);
  }
  return "";
}

std::string nodes_ready(const store::cluster_state& state, const std::vector<std::string>& alive) {
  for (const auto& name : alive) {
    const auto* n = state.find<node>({"", name});
    if (!n)
      return "node " + name + " heartbeats but is not registered";
    std::string status = "none";
    for (const auto& c : n->status.conditions)
      if (c.type == "Ready")
        status = c.status;
    if (status != "True")
      return "node " + name + " heartbeats but its Ready condition is " + status;
  }
  return "";
}

}  // namespace capstan::simulation
