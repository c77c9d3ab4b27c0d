#include "actors/scheduler/plugins.hpp"

namespace capstan::actors {

namespace {

bool node_ready(const pod_request&, const node_view& node, std::string& reason) {
  if (!node.ready) {
    reason = "node(s) were not ready";
    return false;
  }
  if (node.unschedulable) {
    reason = "node(s) were unschedulable";
    return false;
  }
  return true;
}

bool resources_fit(const pod_request& pod, const node_view& node, std::string& reason) {
  if (node.pods + 1 > node.pods_allocatable) {
    reason = "Too many pods";
    return false;
  }
  if (pod.cpu_milli > 0 && node.cpu_requested + pod.cpu_milli > node.cpu_allocatable) {
    reason = "Insufficient cpu";
    return false;
  }
  if (pod.memory_bytes > 0 && node.memory_requested + pod.memory_bytes > node.memory_allocatable) {
    reason = "Insufficient memory";
    return false;
  }
  return true;
}

bool node_selector(const pod_request& pod, const node_view& node, std::string& reason) {
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) {
      reason = "node(s) didn't match Pod's node affinity/selector";
      return false;
    }
  }
  return true;
}

bool host_ports(const pod_request& pod, const node_view& node, std::string& reason) {
  for (const auto& p : pod.host_ports)
    if (node.host_ports.count(p)) {
      reason = "node(s) didn't have free ports for the requested pod ports";
      return false;
    }
  return true;
}

int64_t least_requested(const pod_request& pod, const node_view& node) {
  auto free_share = [](int64_t allocatable, int64_t requested) -> int64_t {
    if (allocatable <= 0)
      return 0;
    int64_t left = allocatable - requested;
    return left <= 0 ? 0 : left * 100 / allocatable;
  };
  return (free_share(node.cpu_allocatable, node.cpu_requested + pod.cpu_milli) +
          free_share(node.memory_allocatable, node.memory_requested + pod.memory_bytes)) /
         2;
}

int64_t spread_replicas(const pod_request& pod, const node_view& node) {
  if (pod.spread_id == 0)
    return 100;
  return 100 / (1 + node.placing_spread);
}

}  // namespace

const std::vector<filter_plugin>& filter_plugins() {
  static const std::vector<filter_plugin> table = {
      {"NodeReady", node_ready},
      {"NodeResourcesFit", resources_fit},
      {"NodeSelector", node_selector},
      {"NodePorts", host_ports},
  };
  return table;
}

const std::vector<score_plugin>& score_plugins() {
  static const std::vector<score_plugin> table = {
      {"LeastRequested", 1, least_requested},
      {"SpreadReplicas", 2, spread_replicas},
  };
  return table;
}

}  // namespace capstan::actors
