// The node lifecycle controller: heartbeats (kept in memory, never journaled) decide Ready;
// a node silent for the grace period becomes Unknown; one not ready for the eviction timeout
// loses its pods, so their RCs recreate them on healthy nodes.
#pragma once

#include <chrono>
#include <map>
#include <set>

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

using lifecycle_clock = caf::actor_clock::clock_type;

struct node_lifecycle_config {
  std::chrono::milliseconds grace{40000};      // Kubernetes' node-monitor-grace-period
  std::chrono::milliseconds eviction{300000};  // pod-eviction-timeout
  std::chrono::milliseconds period{1000};      // how often nodes are checked
};

struct lifecycle_actions {
  std::vector<std::string> mark_unknown;  // Ready -> Unknown (NodeStatusUnknown)
  std::vector<std::string> evict;         // delete every pod on these nodes
  // Nodes that do not exist but still have pods bound to them (the node was deleted, or a
  // bind raced with its delete): delete those pods, as Kubernetes' pod GC does.
  std::vector<std::string> collect;
};

// The decisions, on explicit times so that tests need no clock.
struct node_lifecycle_state {
  node_lifecycle_config config;
  lifecycle_clock::time_point started;
  std::map<std::string, lifecycle_clock::time_point> last_heartbeat;
  std::map<std::string, lifecycle_clock::time_point> not_ready_since;
  std::set<std::string> evicted;
  // Nodes pods are bound to that do not exist, since when (or since their pods were last
  // collected): collected once missing for the grace period, and again a grace period later.
  std::map<std::string, lifecycle_clock::time_point> missing_since;

  void heartbeat(const std::string& node, lifecycle_clock::time_point now);
  // `nodes`: each node's name and Ready status ("True", "False", "Unknown", "" if none).
  // `pod_nodes`: the names pods are bound to.
  lifecycle_actions tick(lifecycle_clock::time_point now,
                         const std::vector<std::pair<std::string, std::string>>& nodes,
                         const std::vector<std::string>& pod_nodes = {});
};

// Checks nodes every config.period; writes through the node and pod registries. Times come
// from the actor system's clock (steady_clock, or the test coordinator's simulated time).
node_lifecycle_actor spawn_node_lifecycle(caf::actor_system& system, const read_model& model,
                                          registry_actor nodes, registry_actor pods,
                                          node_lifecycle_config config);

}  // namespace capstan::actors
