// The registry credentials of a pod, as the kubelet reads them: its imagePullSecrets of type
// kubernetes.io/dockerconfigjson (`.dockerconfigjson`: {"auths": {...}}) or
// kubernetes.io/dockercfg (`.dockercfg`: the older {...} without "auths"), merged into one
// containers auth file for its node. A Secret that is missing or of another type is skipped (the
// pull then goes without it, as in Kubernetes); for a registry named by several Secrets the
// first listed wins.
#pragma once

#include <optional>
#include <string>

#include "messages/objects.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

// {"auths": {...}} for the pod's pull secrets in `state`; nothing when none gives a registry.
std::optional<std::string> pull_auth_file(const messages::pod& p, const store::cluster_state& state);

// Whether `p` names Secret `name` in its imagePullSecrets.
bool pulls_with_secret(const messages::pod& p, const std::string& name);

}  // namespace capstan::actors
