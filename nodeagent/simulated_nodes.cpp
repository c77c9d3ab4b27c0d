#include "nodeagent/simulated_nodes.hpp"

#include <filesystem>

#include <caf/all.hpp>

#include "nodeagent/fake_runtime.hpp"

namespace capstan::nodeagent {

using namespace messages;

std::vector<node> describe_simulated_nodes(const simulated_nodes_config& c) {
  std::vector<node> nodes;
  for (int i = 0; i < c.count; ++i) {
    int index = c.first_index + i;
    node n;
    n.metadata.name = c.prefix + std::to_string(index);
    n.metadata.labels = c.labels;
    n.metadata.labels["kubernetes.io/hostname"] = n.metadata.name;
    n.status.capacity = {{"cpu", quantity::from_milli(c.cpu_milli)},
                         {"memory", quantity::from_bytes(c.memory_bytes)},
                         {"pods", quantity::from_count(c.max_pods)}};
    n.status.allocatable = n.status.capacity;
    auto now = timestamp::now();
    n.status.conditions.push_back(
        {"Ready", "True", now, now, "KubeletReady", "kubelet is posting ready status"});
    n.status.addresses.push_back({"InternalIP", "127.0." + std::to_string(index / 250) + "." +
                                                    std::to_string(index % 250 + 1)});
    n.status.addresses.push_back({"Hostname", n.metadata.name});
    n.status.node_info = {"fake-" + n.metadata.name,
                          "fake-" + n.metadata.name,
                          "fake-boot",
                          "fake",
                          "capstan fake runtime",
                          "fake://0.1",
                          "capstan-0.1",
                          "capstan-0.1",
                          "linux",
                          "amd64"};
    nodes.push_back(std::move(n));
  }
  return nodes;
}

std::pair<std::string, std::string> issue_node_credentials(const common::certificate_authority& ca,
                                                           const std::string& node_name,
                                                           std::string key_pem) {
  std::string common_name = "system:node:" + node_name;
  auto key = key_pem.empty() ? common::new_private_key_pem() : std::move(key_pem);
  auto csr = common::make_csr(key, common_name, "system:nodes");
  return {ca.issue_client_certificate(csr, common_name, "system:nodes", 365), key};
}

namespace {

// The node's key from KEYS_DIR/NAME.key, made and kept there on first use; "" without a dir.
std::string kept_key(const std::string& keys_dir, const std::string& node_name) {
  if (keys_dir.empty())
    return "";
  std::string path = keys_dir + "/" + node_name + ".key";
  if (std::filesystem::exists(path))
    return common::read_small_file(path);
  auto key = common::new_private_key_pem();
  common::write_file_atomically(path, key, 0600);
  return key;
}

}  // namespace

local_node_agent_actor spawn_simulated_nodes(caf::actor_system& system, node_gateway_actor gateway,
                                             const common::certificate_authority& ca,
                                             simulated_nodes_config config) {
  node_agent_config agent;
  agent.local_gateway = std::move(gateway);
  agent.heartbeat = config.heartbeat;
  for (auto& n : describe_simulated_nodes(config)) {
    auto [certificate, key] =
        issue_node_credentials(ca, n.metadata.name, kept_key(config.keys_dir, n.metadata.name));
    agent.nodes.push_back(
        {std::move(n), std::move(certificate), std::move(key), make_fake_runtime()});
  }
  return spawn_node_agent(system, std::move(agent), nullptr);
}

}  // namespace capstan::nodeagent
