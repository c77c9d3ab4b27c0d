// What the nodes' service proxies are sent: the whole set of services and endpoints at a
// node's join, then what each committed batch changed. Pure functions over the read model.
#pragma once

#include <optional>

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"
#include "messages/node_protocol.hpp"

namespace capstan::actors {

// What every node is told of the cluster's network with the full update at its join: the
// ClusterIP range, the cluster DNS address its DNS server answers at, the cluster domain; and
// at its join results, the pod network mode every node follows.
struct cluster_network {
  std::string service_cidr;
  std::string cluster_dns;     // "" : no cluster DNS
  std::string cluster_domain;  // cluster.local
  // How pods reach other nodes; sent with every node's join results (not a proxy update).
  messages::pod_network_settings pod_network;
};

// Every service and endpoints object, at the model's current sequence, with `network`.
messages::proxy_update full_proxy_update(const read_model& model, const cluster_network& network);

// The services and endpoints `batch` touched, as they are now (or as removed); nothing when
// the batch touched none.
std::optional<messages::proxy_update> proxy_changes(const read_model& model,
                                                    const committed_batch& batch);

}  // namespace capstan::actors
