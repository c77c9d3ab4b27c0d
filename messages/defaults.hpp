// Kubernetes v1 defaulting: the values an omitted field takes (namespace "default", protocol
// TCP, targetPort = port, restartPolicy Always, type ClusterIP, replicas 1, ...).
#pragma once

#include "messages/objects.hpp"

namespace capstan::messages {

// Fills every omitted field that Kubernetes defaults. Idempotent. Defaulting never fixes an
// invalid value; run validation afterwards.
void apply_defaults(any_object& object);
void apply_defaults(pod_spec& spec);

}  // namespace capstan::messages
