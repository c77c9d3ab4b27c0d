// The node agent (capstan's kubelet): connects to the master's node gateway, proves the join
// token, registers its node, heartbeats, hands the pods bound to it to its runtime and reports
// their statuses back. Reconnects with backoff (1 s doubling to 10 s) when the master goes
// away; a refused join ends the agent with the master's reason.
#pragma once

#include <chrono>
#include <memory>

#include <caf/all.hpp>

#include "nodeagent/pod_runtime.hpp"
#include "proxy/service_proxy.hpp"

namespace capstan::nodeagent {

struct node_agent_config {
  std::string master_host;
  uint16_t master_port = 6444;
  std::string token;
  messages::node description;  // name, labels, capacity, addresses, node info
  std::chrono::milliseconds heartbeat{10000};
  // Called on the agent's thread when a join is refused (then the agent quits).
  std::function<void(const std::string&)> on_refused;
  // Called on the agent's thread at every (re)join, with the stored node.
  std::function<void(const messages::node&)> on_joined;
};

// Needs the middleman loaded in `system`'s config. `proxy` may be null (no service proxy).
caf::actor spawn_node_agent(caf::actor_system& system, node_agent_config config,
                            std::shared_ptr<pod_runtime> runtime,
                            std::shared_ptr<proxy::service_proxy> proxy);

}  // namespace capstan::nodeagent
