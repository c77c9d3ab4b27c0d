// The node gateway: the one actor node agents talk to (published on the master's --join
// address). It verifies joins (nodeagent/join_proof), registers or refreshes the node, forwards
// heartbeats to the node lifecycle and pod statuses to the pod registry (cause
// "system:node:NAME"), and pushes to each connected node the pods bound to it and the list of
// nodes. Messages: nodeagent/protocol.hpp; it also takes (committed_atom, committed_batch).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

struct node_gateway_links {
  caf::actor nodes, pods, lifecycle;
};

// `service_cidr` is passed on to the nodes' proxies (they route it to their interface).
caf::actor spawn_node_gateway(caf::actor_system& system, const read_model& model,
                              node_gateway_links links, std::string join_token,
                              std::string service_cidr);

}  // namespace capstan::actors
