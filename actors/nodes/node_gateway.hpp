// The node gateway: the one actor node agents talk to (published on the master's --join
// address; interface messages::node_gateway_actor in messages/node_interfaces.hpp). A session
// (one agent actor, hosting one node or many simulated ones) asks for a challenge, then proves
// each node with a certificate from the master's node CA and a signature over the challenge
// (actors/nodes/join_checks.hpp); the gateway registers or refreshes each admitted node (bound
// to its certificate's key) and from then on takes heartbeats and pod statuses from that
// session for exactly those nodes (cause "system:node:NAME"), and sends it the pods bound to
// its nodes (pod_dispatcher), its proxy's services and endpoints, and pod routes.
// It also follows the journal (master_gateway_actor, actors.hpp), and takes log requests
// (logs_atom, log_request) and commands to run in containers (exec_atom, execio_atom) from
// actors of its own process only, passing them on to the pod's node.
#pragma once

#include "actors/actors.hpp"
#include "actors/nodes/proxy_feed.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

class join_port_guard;

struct node_gateway_links {
  registry_actor nodes, pods;
  node_lifecycle_actor lifecycle;
  // When set, the peers of sessions that proved a node are admitted past the join port's
  // handshake deadline (and forgotten when they leave). Must outlive the gateway.
  join_port_guard* guard = nullptr;
};

// `model` is read, and receives the events nodes report about their pods. `node_ca_pem`: the
// CA whose certificates prove nodes. `network` is passed on to the nodes (their proxies route
// the service range to their interface; their DNS servers answer at the cluster DNS address).
master_gateway_actor spawn_node_gateway(caf::actor_system& system, read_model& model,
                                        node_gateway_links links, std::string node_ca_pem,
                                        cluster_network network);

}  // namespace capstan::actors
