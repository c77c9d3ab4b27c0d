// The real runtime: each pod in its own network namespace (a veth on the node's cbr0 bridge,
// an IP from the node's pod CIDR), each container a runc container from an OCI image
// (umoci-unpacked), sharing that namespace and the pod's volumes, with cgroup limits from the
// spec, stdout/stderr in a log file, restart policies with back-off, and statuses reported as
// they change. All blocking work runs on the runtime's own thread. Containers outlive the
// agent: a restarted agent re-adopts them from DATA/pods.
#pragma once

#include <memory>
#include <string>

#include "nodeagent/pod_run.hpp"
#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

struct runc_runtime_config {
  std::string data_dir;     // images/, runc/, pods/
  std::string registry;     // HOST:PORT of a plain-HTTP registry ("" = local images only)
  restart_backoff backoff;  // of containers' restarts and of image pulls
  // The node's resolvers: what pods with dnsPolicy Default get, and the search domains
  // ClusterFirst adds (the kubelet's --resolv-conf).
  std::string resolv_conf = "/etc/resolv.conf";
};

// Throws std::runtime_error when the data directory cannot be created or runc is missing.
std::unique_ptr<pod_runtime> make_runc_runtime(runc_runtime_config config);

}  // namespace capstan::nodeagent
