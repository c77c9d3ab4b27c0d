// The variables a pod's containers take from ConfigMaps and Secrets (env[].valueFrom
// configMapKeyRef / secretKeyRef, envFrom), resolved on the master when the pod is sent to its
// node: the node receives plain values over its authenticated, encrypted session and needs no
// right to read Secrets itself. As in Kubernetes, the values are those of the moment the pod is
// sent; a running container keeps the variables it started with.
#pragma once

#include <string>
#include <variant>

#include "store/cluster_state.hpp"

namespace capstan::actors {

// `p` with each container's envFrom expanded (every key whose PREFIX+KEY is a valid variable
// name, in the sources' order, key order within one) followed by its env with every valueFrom
// reference replaced by its value; the node's bundle lets a later variable win over an earlier
// one of the same name, as Kubernetes does. Or, when a reference that is not `optional` names an
// object or key that does not exist, the reason in Kubernetes' words (`secret "db" not found`,
// `couldn't find key password in Secret team-a/db`), for a CreateContainerConfigError. Reads
// only objects of the pod's namespace.
std::variant<messages::pod, std::string> with_config_environment(messages::pod p,
                                                                 const store::cluster_state& s);

// Whether `p` takes anything from the ConfigMap or Secret (kind) named `name` of its namespace:
// env, envFrom or a volume. Such pods are sent again when that object appears or changes.
bool uses_config_object(const messages::pod& p, messages::object_kind kind,
                        const std::string& name);

}  // namespace capstan::actors
