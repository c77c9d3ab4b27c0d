// The real runtime: each pod in its own network namespace (a veth on the node's cbr0 bridge,
// an IP from the node's pod CIDR), each container a runc container from an OCI image
// (umoci-unpacked), sharing that namespace and the pod's volumes, with cgroup limits from the
// spec, stdout/stderr in a log file, restart policies with back-off, and statuses reported as
// they change. All blocking work runs on the runtime's own thread. Containers outlive the
// agent: a restarted agent re-adopts them from DATA/pods.
#pragma once

#include <memory>
#include <string>

#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

struct runc_runtime_config {
  std::string data_dir;  // images/, runc/, pods/
  std::string registry;  // HOST:PORT of a plain-HTTP registry ("" = local images only)
};

// Throws std::runtime_error when the data directory cannot be created or runc is missing.
std::unique_ptr<pod_runtime> make_runc_runtime(runc_runtime_config config);

// The pure parts, for tests.
// "nginx" -> {"nginx", "latest"}; "kubeguide/redis-master:v2" -> {"kubeguide/redis-master", "v2"}.
std::pair<std::string, std::string> image_reference(const std::string& image);
// The runc config.json of one container: `base` is what umoci unpack wrote.
std::string container_config(const std::string& base, const messages::pod& pod,
                             const messages::container& container, const std::string& netns_path,
                             const std::string& cgroups_path,
                             const std::vector<std::pair<std::string, std::string>>& mounts);

}  // namespace capstan::nodeagent
