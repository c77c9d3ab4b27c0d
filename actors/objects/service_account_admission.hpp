// ServiceAccount admission, as Kubernetes' plugin of that name: a pod runs as a service account
// (`default` unless it names one), which must exist unless it is `default` (the
// service-account controller creates that one with the namespace; a pod racing it waits for
// its token on the node). Unless the pod or its account sets automountServiceAccountToken to
// false, the account's token Secret (auth::token_secret_name) becomes a volume mounted
// read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container that mounts
// nothing there itself (refused when a Secret that is not the account's token holds that
// name); and a pod without imagePullSecrets takes its account's.
#pragma once

#include <optional>
#include <string>

#include "messages/objects.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

// Applies the above to `p` (a pod being created in `state`); returns why it is refused
// ("error looking up service account NS/NAME: ..."), or nothing.
std::optional<std::string> admit_service_account(messages::pod& p,
                                                 const store::cluster_state& state);

}  // namespace capstan::actors
