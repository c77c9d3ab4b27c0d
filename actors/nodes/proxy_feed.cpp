#include "actors/nodes/proxy_feed.hpp"

#include <set>

namespace capstan::actors {

using namespace messages;

proxy_update full_proxy_update(const read_model& model, const cluster_network& network) {
  proxy_update update;
  update.full = true;
  update.service_cidr = network.service_cidr;
  update.cluster_dns = network.cluster_dns;
  update.cluster_domain = network.cluster_domain;
  model.read([&](const store::cluster_state& s) {
    update.seq = s.seq;
    for (const auto& [key, o] : s.of(object_kind::service))
      update.services.push_back(std::get<service>(o));
    for (const auto& [key, o] : s.of(object_kind::endpoints))
      update.endpoints_list.push_back(std::get<endpoints>(o));
  });
  return update;
}

std::optional<proxy_update> proxy_changes(const read_model& model, const committed_batch& batch) {
  std::set<std::pair<object_kind, object_key>> touched;
  for (const auto& r : *batch)
    if (r.kind == object_kind::service || r.kind == object_kind::endpoints)
      touched.insert({r.kind, {r.namespace_, r.name}});
  if (touched.empty())
    return std::nullopt;
  proxy_update update;
  update.seq = batch->back().seq;
  for (const auto& [kind, key] : touched) {
    auto now = model.get(kind, key);
    if (!now) {
      (kind == object_kind::service ? update.removed_services : update.removed_endpoints)
          .push_back({key.namespace_, key.name});
    } else if (kind == object_kind::service) {
      update.services.push_back(std::get<service>(std::move(*now)));
    } else {
      update.endpoints_list.push_back(std::get<endpoints>(std::move(*now)));
    }
  }
  return update;
}

}  // namespace capstan::actors
