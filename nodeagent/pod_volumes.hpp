// A pod's volumes on its node, set up before any of its containers starts and torn down after
// the last one ended: an emptyDir is the directory POD_DIR/volumes/NAME, an nfs volume is
// mounted there (mount -t nfs, bounded in time), a hostPath volume is checked against its type
// (Kubernetes' DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice,
// BlockDevice). The rules are plain functions; set_up_volumes and tear_down_volumes do the I/O
// and may block (a mount waits for its server up to its timeout): runc_runtime runs them on a
// worker, never on its loop.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "messages/node_protocol.hpp"
#include "messages/objects.hpp"

namespace capstan::nodeagent {

// The volume that could not be set up and why, as Kubernetes words a FailedMount event:
// `MountVolume.SetUp failed for volume "NAME" : REASON`.
struct volume_failure {
  std::string volume;
  std::string message;
};

// Kubernetes' volume manager: a failed mount is tried again after 500 ms, doubling up to
// 2 min 2 s. `failures`: how many attempts have failed so far (>= 1).
std::chrono::milliseconds mount_retry_delay(int failures);

// Why this node's kernel cannot mount NFS, or "" when a kernel mount can be tried (else the
// agent mounts in user space, nfs_user_mount_command): the kernel needs an NFS
// client (built in: "nfs" in `proc_filesystems`, the text of /proc/filesystems; or as a module
// that mount.nfs loads) and the mount.nfs helper must be installed (Debian: nfs-common).
std::string nfs_unsupported_reason(const std::string& proc_filesystems, bool nfs_module_present,
                                   bool mount_helper_installed, const std::string& kernel_release);

// The command that mounts `nfs` at `target`: read-only when the volume says so, `soft` with one
// try (no minutes of foreground retries: the pod's own back-off retries), stopped after
// `timeout_seconds` by coreutils' timeout (SIGKILL 5 s later); `--` before the source.
std::vector<std::string> nfs_mount_command(const messages::nfs_volume_source& nfs,
                                           const std::string& target, int timeout_seconds);

// The same mount without the kernel's NFS client: `agent_binary` (capstan-node) nfs-mount
// (nfs_user_mount.hpp), read-only when the volume says so, stopped as above.
std::vector<std::string> nfs_user_mount_command(const messages::nfs_volume_source& nfs,
                                                const std::string& target, int timeout_seconds,
                                                const std::string& agent_binary);

// What a host path is (as lstat-then-stat sees it, following a symlink).
enum class path_kind { missing, directory, regular_file, socket, char_device, block_device, other };

// Kubernetes' hostPath type check of `path` being `kind`: "" when it passes, else the reason
// ("hostPath type check failed: /srv/x is not a directory"). The OrCreate types pass a missing
// path (the caller creates it); type "" checks nothing.
std::string host_path_type_problem(const std::string& type, const std::string& path,
                                   path_kind kind);

// Why a secret or configMap volume's file path is unsafe to write ("" when it is a relative
// path of plain components: not absolute, no "" / "." / ".." component, no leading ".."), as
// received from the master and checked again here.
std::string config_file_path_problem(const std::string& path);

// Writes a secret or configMap volume's files into `dir` as Kubernetes' AtomicWriter does: the
// files go into a new hidden directory `..<nanoseconds>`, the symlink `..data` is swapped to it
// in one rename, and each top-level name is a symlink into `..data`; names no longer present
// go, older data directories are removed. A container that has the volume mounted sees the old
// files or the new ones, never a mix; a write that fails leaves no partial data directory.
// Returns the problem ("" on success). I/O; never throws.
std::string write_config_volume(const std::string& dir,
                                const std::vector<messages::volume_file>& files);

// Mounts a tmpfs at `dir` (creating it) unless one is mounted there: a Secret's files stay in
// memory, never on the node's disk, as Kubernetes keeps them (no size of its own: memory is
// taken as files are written). A directory that already holds files (set up on disk by an
// older agent, bound into running containers) is left as it is. Returns the problem ("" when
// done). I/O; never throws. remove_pod_dir unmounts it with the pod.
std::string mount_secret_volume(const std::string& dir);

// Whether `name` is one of `p`'s secret or configMap volumes: the only directories the files of
// a config_volume may be written to (a message naming another volume, or no volume, is ignored).
bool is_config_volume(const messages::pod& p, const std::string& name);

// Sets up every volume of `p` in order (I/O; blocking): creates emptyDir directories, checks
// (and for the OrCreate types creates) host paths, mounts nfs volumes not mounted yet. Returns
// the first volume that failed, or nothing when all are ready. Idempotent.
std::optional<volume_failure> set_up_volumes(const messages::pod& p, const std::string& pod_dir);

// Whether `p` has a volume whose set-up may wait (an nfs mount); the others are local file
// operations, done at once.
bool has_slow_volumes(const messages::pod& p);

// Unmounts the pod's nfs volumes (lazily: never waits for a server that is gone). False when
// one stays mounted.
bool tear_down_volumes(const messages::pod& p, const std::string& pod_dir);

// Removes `pod_dir` (DATA/pods/UID) and everything in it, but never across a mount: whatever is
// mounted under it is lazily unmounted first, and when something stays mounted the directory is
// left (false) — its files would be an NFS server's. Never throws.
bool remove_pod_dir(const std::string& pod_dir);

}  // namespace capstan::nodeagent
