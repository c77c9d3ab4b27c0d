// Simulated nodes for the master's tests and benchmarks: many nodes in one actor, each
// registering, heartbeating, and reporting every pod bound to it as Running and Ready at once
// (a fake runtime). Real node agents (runc) speak to the same registries.
#pragma once

#include <chrono>

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::nodeagent {

struct fake_nodes_config {
  std::string prefix = "node";  // nodes are prefix1, prefix2, ...
  int count = 3;
  int first_index = 1;
  int64_t cpu_milli = 4000;
  int64_t memory_bytes = 8LL << 30;
  int64_t max_pods = 110;
  messages::string_map labels;  // added to every node
  std::chrono::milliseconds heartbeat{10000};
};

struct links {
  caf::actor nodes, pods, lifecycle;
};

// (stop_atom, std::string node): that node goes silent (no heartbeats, no pod updates), as a
// dead machine would.
caf::actor spawn_fake_nodes(caf::actor_system& system, const actors::read_model& model, links to,
                            fake_nodes_config config);

}  // namespace capstan::nodeagent
