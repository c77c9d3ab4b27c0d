#include "api/audit/cluster_summary.hpp"

#include <map>

#include "api/audit/audit_common.hpp"
#include "api/responses.hpp"

namespace capstan::api::audit {

using namespace messages;

namespace {

struct node_load {
  int64_t cpu_milli = 0, memory_bytes = 0, pods = 0;
};

int64_t milli(const resource_list& list, const char* name) {
  auto it = list.find(name);
  return it == list.end() ? 0 : it->second.milli();
}

}  // namespace

json summarize(const store::cluster_state& state) {
  json counts = json::object();
  for (std::size_t k = 0; k < object_kind_count; ++k)
    counts[std::string(info(static_cast<object_kind>(k)).resource)] = state.tables[k].size();
  std::map<std::string, node_load> loads;
  std::map<std::string, int64_t> phases, per_namespace;
  int64_t unscheduled = 0, terminating = 0;
  for (const auto& [key, object] : state.of(object_kind::pod)) {
    const auto& p = std::get<pod>(object);
    ++phases[p.status.phase.empty() ? "Pending" : p.status.phase];
    ++per_namespace[key.namespace_];
    if (!p.metadata.deletion_timestamp.empty())
      ++terminating;
    if (p.spec.node_name.empty()) {
      ++unscheduled;
      continue;
    }
    auto& load = loads[p.spec.node_name];
    ++load.pods;
    for (const auto& c : p.spec.containers) {
      load.cpu_milli += milli(c.resources.requests, "cpu");
      load.memory_bytes += milli(c.resources.requests, "memory") / 1000;
    }
  }
  json nodes = json::array();
  for (const auto& [key, object] : state.of(object_kind::node)) {
    const auto& n = std::get<node>(object);
    bool ready = false;
    for (const auto& c : n.status.conditions)
      if (c.type == "Ready")
        ready = c.status == "True";
    const auto& load = loads[key.name];
    nodes.push_back({{"name", key.name},
                     {"ready", ready},
                     {"unschedulable", n.spec.unschedulable},
                     {"cpuMilli", milli(n.status.capacity, "cpu")},
                     {"memoryBytes", milli(n.status.capacity, "memory") / 1000},
                     {"requestedCpuMilli", load.cpu_milli},
                     {"requestedMemoryBytes", load.memory_bytes},
                     {"pods", load.pods}});
  }
  json namespaces = json::array();
  for (const auto& [key, object] : state.of(object_kind::namespace_)) {
    const auto& n = std::get<namespace_object>(object);
    auto pods = per_namespace.find(key.name);
    namespaces.push_back({{"name", key.name},
                          {"phase", n.status.phase.empty() ? "Active" : n.status.phase},
                          {"pods", pods == per_namespace.end() ? 0 : pods->second}});
  }
  json ready_endpoints = json::object();  // "namespace/service" -> ready addresses
  for (const auto& [key, object] : state.of(object_kind::endpoints)) {
    std::size_t ready = 0;
    for (const auto& subset : std::get<endpoints>(object).subsets)
      ready += subset.addresses.size();
    ready_endpoints[key.namespace_ + "/" + key.name] = ready;
  }
  return {{"kind", "ClusterSummary"},
          {"apiVersion", "capstan/v1"},
          {"seq", state.seq},
          {"counts", std::move(counts)},
          {"pods",
           {{"byPhase", phases},
            {"unscheduled", unscheduled},
            {"terminating", terminating},
            {"byNamespace", per_namespace}}},
          {"nodes", std::move(nodes)},
          {"namespaces", std::move(namespaces)},
          {"endpoints", std::move(ready_endpoints)}};
}

http_response cluster_summary(const actors::master& master, const http_request& req) {
  json out;
  if (param(req, "at").empty() && param(req, "time").empty()) {
    master.model().read([&](const store::cluster_state& state) { out = summarize(state); });
  } else {
    auto at = moment(master, req, "at", "time", UINT64_MAX);
    if (auto* bad = std::get_if<std::string>(&at))
      return status_error(400, "BadRequest", *bad);
    master.with_state_at(std::get<uint64_t>(at),
                         [&](const store::cluster_state& state) { out = summarize(state); });
  }
  out["time"] = time_of(master, out["seq"].get<uint64_t>());
  return json_response(200, out);
}

}  // namespace capstan::api::audit
