// The node agent (capstan's kubelet): one session with the master's node gateway for the
// nodes this process hosts — one real node, or many simulated ones. It connects over mutual
// TLS (or, in the master's own process, to the gateway directly), proves each node with its
// certificate, hands the pods bound to each node to that node's runtime, reports their
// statuses back in batches, heartbeats, feeds the service proxy and answers log requests.
// Protocol: messages/node_interfaces.hpp. Reconnects with backoff (1 s doubling to 10 s) when
// the master goes away; a final refusal (messages::refusal_is_final) of every node ends it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "messages/node_interfaces.hpp"
#include "nodeagent/node_dns.hpp"
#include "nodeagent/pod_runtime.hpp"
#include "proxy/service_proxy.hpp"

namespace capstan::nodeagent {

// One node of the session, with the credential that proves it.
struct hosted_node {
  messages::node description;   // name, labels, capacity, addresses, node info
  std::string certificate_pem;  // issued by the master's node CA for system:node:NAME
  std::string key_pem;          // the certificate's key: signs the join challenge
  std::shared_ptr<pod_runtime> runtime;
};

struct node_agent_config {
  // The gateway: in the master's own process, its handle; otherwise its --join address,
  // reached through the actor system's caf_openssl module (mutual TLS).
  messages::node_gateway_actor local_gateway;
  std::string master_host;
  uint16_t master_port = 6444;
  // The other masters of the cluster (issue #20), HOST and join port each: only the leader
  // takes nodes, so the agent tries the next one when a master cannot be reached or its
  // gateway goes away (it stopped leading, or died), going round all of them before it backs
  // off.
  std::vector<std::pair<std::string, uint16_t>> other_masters;
  std::vector<hosted_node> nodes;
  bool pod_network = false;  // the runtimes route pods to other nodes: ask for node routes
  // The pod network mode this node must have (its --pod-network): a master whose cluster has
  // another refuses its nodes for good. "": the cluster's, whichever it is.
  std::string pod_network_mode;
  // The node's share of the cluster DNS (a real node's; null for simulated ones): told the
  // first node's pod network, the master's cluster DNS settings, the services and endpoints.
  std::shared_ptr<node_dns> dns;
  std::chrono::milliseconds heartbeat{10000};
  // Called on the agent's thread when the master refuses a node for good.
  std::function<void(const std::string& node, const messages::refusal&)> on_refused;
  // Called on the agent's thread at every (re)join of a node, with the node as stored.
  std::function<void(const messages::node&)> on_joined;
};

using silence_atom = caf::atom_constant<caf::atom("silence")>;

// A node agent as its own process holds it: what the master sees (messages::node_agent_actor)
// and one message of the process's own.
using local_node_agent_actor = messages::node_agent_actor::extend<
    // That node goes silent (no more heartbeats, statuses or pods), as a dead machine would
    // (tests of the node lifecycle). Taken only from actors of the agent's own process.
    caf::reacts_to<silence_atom, std::string>>;

// `proxy` may be null (no service proxy). Remote gateways need the openssl module loaded.
local_node_agent_actor spawn_node_agent(caf::actor_system& system, node_agent_config config,
                                        std::shared_ptr<proxy::service_proxy> proxy);

}  // namespace capstan::nodeagent
