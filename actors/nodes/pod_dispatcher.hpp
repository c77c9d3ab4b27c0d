// The node gateway's outgoing half for pods: sends each session the pods bound to its nodes,
// with the service variables of their namespace and what they take from ConfigMaps and Secrets
// (actors/nodes/config_env.hpp) — every node's whole set when its session
// starts, then, per committed batch, one pod_assignments message per session holding the
// changes of all its nodes (one message per session per round, whatever the number of pods).
// It runs beside the gateway so that building pods never queues in front of the nodes'
// statuses and heartbeats.
// Interface: pod_dispatcher_actor (actors.hpp).
#pragma once

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::actors {

// `model` also takes the Warning events of pods held back for a missing ConfigMap or Secret.
pod_dispatcher_actor spawn_pod_dispatcher(caf::actor_system& system, read_model& model);

}  // namespace capstan::actors
