// The node gateway's outgoing half for pods: sends each connected node the pods bound to it,
// with the service variables of their namespace — the whole set when the node's session
// starts, then every change from the committed records. Encoding pods for the nodes runs here,
// beside the gateway, so that it never queues in front of the nodes' statuses and heartbeats.
// Messages: (session_atom, name, caf::actor) a node's session started (or was replaced);
// (session_atom, name) it ended; (committed_atom, committed_batch). What it sends the nodes:
// nodeagent/protocol.hpp (pods_atom, pod_atom, gone_atom).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::actors {

using session_atom = caf::atom_constant<caf::atom("session")>;

caf::actor spawn_pod_dispatcher(caf::actor_system& system, const read_model& model);

}  // namespace capstan::actors
