// An NFS export mounted without the kernel's NFS client, for nodes whose kernel has none: a FUSE
// file system (libfuse3) whose operations are libnfs calls to the server (NFSv3; NFSv4 when asked,
// though libnfs 4.0 fails writes over 4 KiB against nfs-ganesha there). The agent runs it as
// `capstan-node nfs-mount [--read-only] SERVER PATH TARGET`: it connects, mounts TARGET, then
// detaches (the mount outlives the agent, as a kernel mount does) and serves until TARGET is
// unmounted, which ends it. Calls to a server that stopped answering fail after
// `timeout_ms` (EIO), as a `soft` kernel mount's do.
#pragma once

#include <string>

namespace capstan::nodeagent {

struct nfs_user_mount_options {
  std::string server;  // host name or address
  std::string path;    // the export's path on the server
  std::string target;  // an existing directory
  bool read_only = false;
  int nfs_version = 3;
  int timeout_ms = 5000;
};

// Mounts and serves: returns once TARGET is mounted and served by a detached process (0), or
// with a non-zero status after writing why to stderr (the server does not answer, the export is
// refused, TARGET cannot be mounted).
int run_nfs_user_mount(const nfs_user_mount_options& options);

// `capstan-node nfs-mount` with its arguments (argv[0] is "nfs-mount"): parses them, then
// run_nfs_user_mount. Usage errors exit 2.
int nfs_user_mount_main(int argc, char** argv);

}  // namespace capstan::nodeagent
