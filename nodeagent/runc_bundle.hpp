// The pure parts of a runc container: which image a container names (name and tag, as the
// node's image store keeps them), the host directories its volumes mount, and the config.json
// of its runc bundle, made from what umoci unpack wrote and the pod's spec. No I/O:
// runc_runtime reads and writes the files and creates the directories.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::nodeagent {

// "nginx" -> {"nginx", "latest"}; "kubeguide/redis-master:v2" -> {"kubeguide/redis-master", "v2"}.
// A digest (@...) is dropped, and so are Docker Hub's implicit prefixes (docker.io/library/).
std::pair<std::string, std::string> image_reference(const std::string& image);

// A host path bound into a container.
struct bind_mount {
  std::string source, destination;
  bool read_only = false;
  friend bool operator==(const bind_mount& a, const bind_mount& b) {
    return a.source == b.source && a.destination == b.destination && a.read_only == b.read_only;
  }
};

// The bind mounts of `container`'s volume mounts, in their order: an emptyDir volume lives with
// the pod, in POD_DIR/volumes/NAME, and so does an nfs volume (mounted there, pod_volumes.hpp);
// a hostPath volume is the node's own path. Read-only when the volume mount or the nfs volume
// says so. A mount that names no volume of `pod` gets nothing.
std::vector<bind_mount> volume_mounts(const std::string& pod_dir, const messages::pod& pod,
                                      const messages::container& container);

// The runc config.json of one container: `base` is what umoci unpack wrote. The container
// joins the network namespace at `netns_path`, gets the cgroup `cgroups_path` with the limits
// of its spec, Docker's default capabilities, and `mounts` as bind mounts. Throws
// nlohmann::json::exception when `base` is not JSON.
std::string container_config(const std::string& base, const messages::pod& pod,
                             const messages::container& container, const std::string& netns_path,
                             const std::string& cgroups_path,
                             const std::vector<bind_mount>& mounts);

}  // namespace capstan::nodeagent
