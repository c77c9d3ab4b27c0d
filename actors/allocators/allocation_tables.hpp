// The allocator's tables: which ClusterIPs, NodePorts and pod CIDRs are taken and by whom.
// Plain data on explicit inputs (no actor, no clock); the allocator actor owns one and routes
// its messages to it. Copyable: a copy answers what an allocation would do without doing it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "actors/allocators/range_allocator.hpp"
#include "actors/commands.hpp"

namespace capstan::actors {

struct allocator_config {
  std::string service_cidr = "10.254.0.0/16";  // ClusterIPs, as in the seeds
  std::string cluster_cidr = "10.1.0.0/16";    // pod networks, one /24 per node
  int node_cidr_prefix = 24;
  int32_t node_port_min = 30000;
  int32_t node_port_max = 32767;
};

class allocation_tables {
public:
  // Empty tables over the configured ranges. The CIDRs must parse (flags are checked first).
  explicit allocation_tables(const allocator_config& config);

  // The service with its ClusterIP and NodePorts filled in: requested ones are honoured,
  // taken or out-of-range ones are Invalid, what the service already owns (an update) is kept.
  // Nothing the service owned is freed until settle_service: an update whose append fails
  // must leave the service holding what it held. A refusal takes nothing.
  command_reply allocate_service(messages::service s);
  // The node with its spec.podCIDR (kept when it has one; a requested one must be a free
  // /node_cidr_prefix inside the cluster CIDR).
  command_reply allocate_node(messages::node n);
  // `committed` is the service as journaled after an update: it keeps its NodePorts, the
  // others it held are freed.
  void settle_service(const messages::service& committed);
  // Frees everything the object holds.
  void release(object_kind kind, const object_key& key);
  // Takes what committed objects already hold, so nothing is handed out twice after a restart.
  void rebuild(const store::cluster_state& state);

private:
  std::string subnet(uint32_t index) const;
  command_reply invalid_service(const messages::service& s, messages::field_error e) const;

  ipv4_cidr service_range_;
  ipv4_cidr cluster_range_;
  int node_prefix_ = 24;
  std::optional<range_allocator> cluster_ips_;
  std::optional<range_allocator> node_ports_;
  std::optional<range_allocator> pod_cidrs_;
  std::map<object_key, uint32_t> ip_owner_;  // service -> ClusterIP
  std::map<object_key, std::set<uint32_t>> ports_owner_;
  std::map<std::string, uint32_t> cidr_owner_;  // node -> subnet index
};

}  // namespace capstan::actors
