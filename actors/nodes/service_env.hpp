// The service environment variables of seed 002 (Docker-links style), as the kubelet adds them
// to every container: for each service of the pod's namespace that exists when the pod starts,
// REDIS_MASTER_SERVICE_HOST, _SERVICE_PORT, _SERVICE_PORT_<NAME> (named ports), _PORT,
// _PORT_6379_TCP, _PORT_6379_TCP_PROTO, _PORT_6379_TCP_PORT and _PORT_6379_TCP_ADDR.
#pragma once

#include <vector>

#include "messages/objects.hpp"

namespace capstan::actors {

// The variables for these services (sorted by service name; those without a ClusterIP are
// skipped).
std::vector<messages::env_var> service_environment(const std::vector<messages::service>& services);

// `pod` with those variables before each container's own env (its own win on a name clash).
messages::pod with_service_environment(messages::pod pod,
                                       const std::vector<messages::service>& services);
// The same with the variables already computed (one namespace's, shared by many pods).
messages::pod with_service_environment(messages::pod pod,
                                       const std::vector<messages::env_var>& env);

}  // namespace capstan::actors
