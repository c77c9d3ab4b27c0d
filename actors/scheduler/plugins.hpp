// Scheduler plugins: filters decide whether a pod fits a node, scores rank the nodes that fit.
// Each is a small function behind one interface, all registered in one table (plugins.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "messages/types.hpp"

namespace capstan::actors {

// What a pod asks of a node.
struct pod_request {
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  std::set<std::pair<int32_t, std::string>> host_ports;  // (port, protocol)
  messages::string_map node_selector;
  std::string spread_key;  // pods with the same key (their RC) are spread across nodes
  uint32_t spread_id = 0;  // the key as a small number (scheduler_state interns it); 0: none
};

// The scheduler's view of one node, kept current incrementally.
struct node_view {
  std::string name;
  bool ready = false;
  bool unschedulable = false;
  messages::string_map labels;
  int64_t cpu_allocatable = 0, memory_allocatable = 0, pods_allocatable = 0;
  int64_t cpu_requested = 0, memory_requested = 0, pods = 0;
  std::multiset<std::pair<int32_t, std::string>> host_ports;
  // The pods of the spread key being placed that this node holds: set by scheduler_state::place
  // for the nodes holding any (from the key's own short list) before it scores, and back to 0
  // after, so that scoring a node costs no search (a node at a million pods holds 50 keys, and
  // each pod scores a thousand nodes).
  int placing_spread = 0;
};

struct filter_plugin {
  const char* name;
  // True when the pod may run on the node; otherwise `reason` says why, in the words of
  // kube-scheduler's FailedScheduling summary ("Insufficient cpu").
  bool (*fits)(const pod_request& pod, const node_view& node, std::string& reason);
};

struct score_plugin {
  const char* name;
  int weight;
  // 0..100; higher is better.
  int64_t (*score)(const pod_request& pod, const node_view& node);
};

const std::vector<filter_plugin>& filter_plugins();
const std::vector<score_plugin>& score_plugins();

}  // namespace capstan::actors
