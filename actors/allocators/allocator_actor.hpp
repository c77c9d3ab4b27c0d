// The allocator actor: the one owner of ClusterIPs, NodePorts and per-node pod CIDRs, so none
// is ever handed out twice. Its tables are rebuilt from the read model when it starts.
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

struct allocator_config {
  std::string service_cidr = "10.254.0.0/16";  // ClusterIPs, as in the seeds
  std::string cluster_cidr = "10.1.0.0/16";    // pod networks, one /24 per node
  int node_cidr_prefix = 24;
  int32_t node_port_min = 30000;
  int32_t node_port_max = 32767;
};

// (allocate_atom, any_object) -> command_reply: a service with its ClusterIP and NodePorts
//     filled in (requested ones honoured; taken or out-of-range ones are Invalid), or a node
//     with its spec.podCIDR. Allocating again for the same object (an update) keeps what it
//     owns, and frees nothing until the update is settled: an update whose append fails must
//     leave the service holding what it held.
// (settle_atom, any_object): the service as the journal has it after an update (committed or
//     not): frees the NodePorts it holds beyond those.
// (allocate_atom, preview_atom, any_object) -> command_reply: what allocate would answer now,
//     reserving and freeing nothing (dry runs).
// (release_atom, object_kind, object_key): frees what the object owns.
caf::actor spawn_allocator(caf::actor_system& system, const allocator_config& config,
                           const read_model& model);

}  // namespace capstan::actors
