// Simulated nodes for tests and benchmarks: one node agent session hosting many nodes whose
// runtime only pretends (nodeagent/fake_runtime.hpp): every pod bound to them reports Running
// and Ready at once. They speak the node protocol like real agents — certificates, join,
// heartbeats, batched statuses — to a gateway in the same process or across the network.
#pragma once

#include <chrono>

#include "common/pki.hpp"
#include "nodeagent/node_agent.hpp"

namespace capstan::nodeagent {

struct simulated_nodes_config {
  std::string prefix = "node";  // nodes are prefix1, prefix2, ...
  int count = 3;
  int first_index = 1;
  int64_t cpu_milli = 4000;
  int64_t memory_bytes = 8LL << 30;
  int64_t max_pods = 110;
  messages::string_map labels;  // added to every node
  std::chrono::milliseconds heartbeat{10000};
  // Where each node's private key is kept (KEYS_DIR/NAME.key, 0600), so that the same nodes
  // come back as themselves after a restart (the master binds a node name to its key). Empty:
  // a new key each time, for nodes that never return.
  std::string keys_dir;
};

// The nodes as they describe themselves (Ready, capacity, an InternalIP in 127.0.0.0/8).
std::vector<messages::node> describe_simulated_nodes(const simulated_nodes_config& config);

// A key and a certificate for system:node:NAME, issued directly by `ca` (the master's node CA,
// in the master's own process): what a real node obtains through the bootstrap endpoint. The
// key is `key_pem` when given, else a new one.
std::pair<std::string, std::string> issue_node_credentials(const common::certificate_authority& ca,
                                                           const std::string& node_name,
                                                           std::string key_pem = "");

// One session for all the configured nodes, joined to `gateway` in this process.
local_node_agent_actor spawn_simulated_nodes(caf::actor_system& system,
                                             messages::node_gateway_actor gateway,
                                             const common::certificate_authority& ca,
                                             simulated_nodes_config config);

}  // namespace capstan::nodeagent
