// The flags of a node agent (`capstan-node ...`, also `capstan node ...`): registered on a CLI11
// command by both binaries, so `capstan node` checks and completes them as capstan-node does.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "messages/objects.hpp"
#include "nodeagent/pod_run.hpp"

namespace capstan::admin {

struct node_flags {
  std::string master, api, token_file, name, address = "127.0.0.1", runtime = "runc";
  bool insecure_skip_ca_check = false;
  std::string data = "/var/lib/capstan-node", registry, proxy_mode;
  std::string pod_network;  // "" : the cluster's mode
  std::string resolv_conf = "/etc/resolv.conf";
  std::string labels_text;  // --labels k=v,...
  messages::string_map labels;
  std::string heartbeat_text = "10s";
  std::chrono::milliseconds heartbeat{10000};
  // Containers' restart back-off (nodeagent/pod_run.hpp): first wait and ceiling.
  std::string backoff_initial_text = "10s", backoff_max_text = "5m";
  nodeagent::restart_backoff backoff;
  int count = 1;
  // --master split at commas: every master's join address (issue #20: the agent joins
  // whichever leads). Set by complete().
  std::vector<std::pair<std::string, uint16_t>> masters;
};

// Adds the flags to `cmd`, writing into `f`.
void add_node_flags(CLI::App& cmd, node_flags& f);

// After parsing: the defaults that depend on other flags (name from the host name, --api from
// --master, the proxy mode from the runtime) and the checks CLI11 cannot make by type.
// Returns false after printing why the flags do not make a node.
bool complete(node_flags& f);

}  // namespace capstan::admin
