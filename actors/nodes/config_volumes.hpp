// The files of a pod's secret and configMap volumes, resolved on the master when the pod is
// sent to its node (and again whenever the object changes): the node writes what it receives
// and needs no right to read Secrets itself.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "messages/node_protocol.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

// For each secret or configMap volume of `p`: every key of the object as a file of that name,
// or only the volume's `items` (each at its path), with the item's mode, else the volume's
// defaultMode (0644 when unset). A ConfigMap's binaryData keys are files too. A missing object
// of an `optional` volume gives an empty volume. Or, when a volume cannot be made, the reason as
// Kubernetes' FailedMount event words it (`MountVolume.SetUp failed for volume "creds" : secret
// "db" not found`).
std::variant<std::vector<messages::config_volume>, std::string> config_volumes_of(
    const messages::pod& p, const store::cluster_state& s);

}  // namespace capstan::actors
