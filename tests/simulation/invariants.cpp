#include "tests/simulation/invariants.hpp"

#include <map>

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
    int have = 0;
    for (const auto& [pk, po] : state.of(object_kind::pod)) {
      const auto& p = std::get<pod>(po);
      if (pk.namespace_ != key.namespace_ || !active(p))
        continue;
      bool matches = true;
      for (const auto& [k, v] : rc.spec.selector) {
        auto l = p.metadata.labels.find(k);
        matches = matches && l != p.metadata.labels.end() && l->second == v;
      }
      have += matches;
    }
    const int want = rc.spec.replicas.value_or(1);
    if (have != want)
      return "settled, RC " + key.namespace_ + "/" + key.name + " has " + std::to_string(have) +
             " active pods, replicas " + std::to_string(want);
  }
  return "";
}

}  // namespace capstan::simulation
