// What the master's node gateway and a node agent say to each other across processes (CAF
// remote actors). Every payload is a CAF built-in type (atoms, strings, integers, bools), so
// nothing needs registering on either side; objects travel as Kubernetes JSON.
//
// node -> gateway
//   (join_atom, name) -> std::string nonce
//   (prove_atom, name, proof, node JSON) -> std::string node JSON as stored (podCIDR set)
//       proof = join_proof(token, nonce, name); a wrong proof is an error reply and changes
//       nothing. The proving actor becomes the node's session until it goes down.
//   (heartbeat_atom, name)                                  the node is alive
//   (status_atom, name, namespace, pod name, pod uid, pod status JSON)
// gateway -> node (to the session)
//   (pods_atom, JSON array of pods)        every pod bound to the node: the whole desired set
//   (pod_atom, pod JSON)                   one pod bound to the node, new or changed
//   (gone_atom, namespace, pod name, uid)  the pod was deleted
//   (nodes_atom, JSON array of {name, podCIDR, address})   every node, for pod routes
//   (proxy_atom, JSON) what the node's service proxy needs: after the join the whole state,
//       {"seq", "serviceCIDR", "full": true, "services": [...], "endpoints": [...]}; then per
//       committed batch that touches them {"seq", "full": false, "changes": [{"kind":
//       "Service"|"Endpoints", "key": "ns/name", "object": {...} or null (deleted)}]}
//   (logs_atom, namespace, pod name, container, uint64 offset, uint64 tail lines)
//       -> (std::string bytes, uint64 next offset)   offset 0 with tail > 0: the last lines
#pragma once

#include <caf/atom.hpp>

namespace capstan::nodeagent {

using join_atom = caf::atom_constant<caf::atom("join")>;
using prove_atom = caf::atom_constant<caf::atom("prove")>;
using status_atom = caf::atom_constant<caf::atom("podstatus")>;
using pods_atom = caf::atom_constant<caf::atom("pods")>;
using pod_atom = caf::atom_constant<caf::atom("pod")>;
using gone_atom = caf::atom_constant<caf::atom("podgone")>;
using nodes_atom = caf::atom_constant<caf::atom("nodes")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using proxy_atom = caf::atom_constant<caf::atom("proxy")>;

}  // namespace capstan::nodeagent
