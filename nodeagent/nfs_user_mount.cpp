#include "nodeagent/nfs_user_mount.hpp"

#define FUSE_USE_VERSION 35
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <fuse3/fuse.h>
#include <nfsc/libnfs.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace capstan::nodeagent {

namespace {

constexpr rlim_t daemon_address_space_bytes = 1024ull * 1024 * 1024;

// The one connection, used from FUSE's single-threaded loop only.
struct mount_state {
  nfs_context* nfs = nullptr;
  bool read_only = false;
  uid_t uid = 0;  // the AUTH_SYS credentials the connection speaks with now
  gid_t gid = 0;
};

mount_state& state() {
  return *static_cast<mount_state*>(fuse_get_context()->private_data);
}

// The connection, speaking as the process that made the call (its uid and gid, as the
// kernel's client sends them; not its supplementary groups): the server decides as it would
// for that process on a kernel mount (root_squash included).
nfs_context* nfs() {
  const fuse_context* caller = fuse_get_context();
  mount_state& s = state();
  if (caller->uid != s.uid) {
    nfs_set_uid(s.nfs, static_cast<int>(caller->uid));
    s.uid = caller->uid;
  }
  if (caller->gid != s.gid) {
    nfs_set_gid(s.nfs, static_cast<int>(caller->gid));
    s.gid = caller->gid;
  }
  return s.nfs;
}

// libnfs returns -errno, FUSE wants -errno too, but libnfs 4.0 says EINTR for a call that timed
// out, EFAULT for any failed READ or WRITE and -1 for a call it could not send: those read as
// EIO, as a soft kernel mount's failures do.
int result(int r) {
  if (r == -EINTR || r == -EFAULT || r == -ETIMEDOUT || r == -1)
    return -EIO;
  return r;
}

int refuse_if_read_only() { return state().read_only ? -EROFS : 0; }

void to_stat(const nfs_stat_64& s, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = s.nfs_ino;
  st->st_mode = static_cast<mode_t>(s.nfs_mode);
  st->st_nlink = static_cast<nlink_t>(s.nfs_nlink);
  st->st_uid = static_cast<uid_t>(s.nfs_uid);
  st->st_gid = static_cast<gid_t>(s.nfs_gid);
  st->st_rdev = s.nfs_rdev;
  st->st_size = static_cast<off_t>(s.nfs_size);
  st->st_blksize = static_cast<blksize_t>(s.nfs_blksize);
  st->st_blocks = static_cast<blkcnt_t>(s.nfs_blocks);
  st->st_atim = {static_cast<time_t>(s.nfs_atime), static_cast<long>(s.nfs_atime_nsec)};
  st->st_mtim = {static_cast<time_t>(s.nfs_mtime), static_cast<long>(s.nfs_mtime_nsec)};
  st->st_ctim = {static_cast<time_t>(s.nfs_ctime), static_cast<long>(s.nfs_ctime_nsec)};
}

nfsfh* handle(const fuse_file_info* fi) { return reinterpret_cast<nfsfh*>(fi->fh); }

int op_getattr(const char* path, struct stat* st, fuse_file_info*) {
  nfs_stat_64 s{};
  int r = nfs_lstat64(nfs(), path, &s);
  if (r < 0)
    return result(r);
  to_stat(s, st);
  return 0;
}

int op_readdir(const char* path, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info*,
               fuse_readdir_flags) {
  nfsdir* dir = nullptr;
  int r = nfs_opendir(nfs(), path, &dir);
  if (r < 0)
    return result(r);
  while (nfsdirent* e = nfs_readdir(nfs(), dir))
    if (fill(buf, e->name, nullptr, 0, static_cast<fuse_fill_dir_flags>(0)) != 0)
      break;
  nfs_closedir(nfs(), dir);
  return 0;
}

int op_open(const char* path, fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
    if (int r = refuse_if_read_only())
      return r;
  nfsfh* fh = nullptr;
  int r = nfs_open(nfs(), path, fi->flags & (O_ACCMODE | O_APPEND | O_TRUNC), &fh);
  if (r < 0)
    return result(r);
  fi->fh = reinterpret_cast<uint64_t>(fh);
  return 0;
}

int op_create(const char* path, mode_t mode, fuse_file_info* fi) {
  if (int r = refuse_if_read_only())
    return r;
  nfsfh* fh = nullptr;
  int r = nfs_create(nfs(), path, fi->flags & (O_ACCMODE | O_APPEND | O_TRUNC | O_EXCL),
                     static_cast<int>(mode & 07777), &fh);
  if (r < 0)
    return result(r);
  fi->fh = reinterpret_cast<uint64_t>(fh);
  return 0;
}

int op_read(const char*, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  return result(nfs_pread(nfs(), handle(fi), static_cast<uint64_t>(offset), size, buf));
}

int op_write(const char*, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_pwrite(nfs(), handle(fi), static_cast<uint64_t>(offset), size, buf));
}

int op_fsync(const char*, int, fuse_file_info* fi) { return result(nfs_fsync(nfs(), handle(fi))); }

int op_release(const char*, fuse_file_info* fi) {
  return result(nfs_close(nfs(), handle(fi)));
}

int op_mkdir(const char* path, mode_t mode) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_mkdir2(nfs(), path, static_cast<int>(mode & 07777)));
}

int op_unlink(const char* path) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_unlink(nfs(), path));
}

int op_rmdir(const char* path) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_rmdir(nfs(), path));
}

int op_rename(const char* from, const char* to, unsigned int flags) {
  if (int r = refuse_if_read_only())
    return r;
  if (flags != 0)
    return -EINVAL;  // RENAME_NOREPLACE, RENAME_EXCHANGE: NFSv3 has neither
  return result(nfs_rename(nfs(), from, to));
}

int op_truncate(const char* path, off_t size, fuse_file_info* fi) {
  if (int r = refuse_if_read_only())
    return r;
  if (fi)
    return result(nfs_ftruncate(nfs(), handle(fi), static_cast<uint64_t>(size)));
  return result(nfs_truncate(nfs(), path, static_cast<uint64_t>(size)));
}

int op_chmod(const char* path, mode_t mode, fuse_file_info*) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_chmod(nfs(), path, static_cast<int>(mode & 07777)));
}

int op_chown(const char* path, uid_t uid, gid_t gid, fuse_file_info*) {
  if (int r = refuse_if_read_only())
    return r;
  // -1 (unchanged) passes through: libnfs leaves that attribute alone.
  return result(nfs_lchown(nfs(), path, static_cast<int>(uid), static_cast<int>(gid)));
}

int op_utimens(const char* path, const struct timespec tv[2], fuse_file_info*) {
  if (int r = refuse_if_read_only())
    return r;
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  // libnfs sets both times: a time to leave alone (UTIME_OMIT) is set to what it is now.
  nfs_stat_64 current{};
  if (tv[0].tv_nsec == UTIME_OMIT || tv[1].tv_nsec == UTIME_OMIT)
    if (int r = nfs_lstat64(nfs(), path, &current); r < 0)
      return result(r);
  const struct timespec kept[2] = {
      {static_cast<time_t>(current.nfs_atime), static_cast<long>(current.nfs_atime_nsec)},
      {static_cast<time_t>(current.nfs_mtime), static_cast<long>(current.nfs_mtime_nsec)}};
  struct timeval times[2];
  for (int i = 0; i < 2; ++i) {
    const struct timespec& t = tv[i].tv_nsec == UTIME_NOW    ? now
                               : tv[i].tv_nsec == UTIME_OMIT ? kept[i]
                                                             : tv[i];
    times[i].tv_sec = t.tv_sec;
    times[i].tv_usec = t.tv_nsec / 1000;
  }
  return result(nfs_lutimes(nfs(), path, times));
}

int op_readlink(const char* path, char* buf, size_t size) {
  if (size == 0)
    return -EINVAL;
  // nfs_readlink2 allocates: nfs_readlink would write a too long target's NUL past `buf`.
  char* target = nullptr;
  if (int r = nfs_readlink2(nfs(), path, &target); r < 0)
    return result(r);
  std::size_t n = std::min(std::strlen(target), size - 1);  // FUSE: truncate, NUL-terminate
  std::memcpy(buf, target, n);
  buf[n] = '\0';
  std::free(target);
  return 0;
}

int op_symlink(const char* target, const char* link) {
  if (int r = refuse_if_read_only())
    return r;
  return result(nfs_symlink(nfs(), target, link));
}

int op_statfs(const char* path, struct statvfs* st) {
  nfs_statvfs_64 s{};
  int r = nfs_statvfs64(nfs(), path, &s);
  if (r < 0)
    return result(r);
  std::memset(st, 0, sizeof *st);
  st->f_bsize = s.f_bsize;
  st->f_frsize = s.f_frsize;
  st->f_blocks = s.f_blocks;
  st->f_bfree = s.f_bfree;
  st->f_bavail = s.f_bavail;
  st->f_files = s.f_files;
  st->f_ffree = s.f_ffree;
  st->f_favail = s.f_favail;
  st->f_fsid = s.f_fsid;
  st->f_namemax = s.f_namemax;
  return 0;
}

// The kernel keeps its own rules where libnfs cannot follow them: it clears set-user-ID and
// set-group-ID bits on writes and chowns itself (no FUSE_CAP_HANDLE_KILLPRIV).
void* op_init(fuse_conn_info* conn, fuse_config*) {
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_HANDLE_KILLPRIV);
  return fuse_get_context()->private_data;
}

fuse_operations operations() {
  fuse_operations ops{};
  ops.init = op_init;
  ops.getattr = op_getattr;
  ops.readdir = op_readdir;
  ops.open = op_open;
  ops.create = op_create;
  ops.read = op_read;
  ops.write = op_write;
  ops.fsync = op_fsync;
  ops.release = op_release;
  ops.mkdir = op_mkdir;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.truncate = op_truncate;
  ops.chmod = op_chmod;
  ops.chown = op_chown;
  ops.utimens = op_utimens;
  ops.readlink = op_readlink;
  ops.symlink = op_symlink;
  ops.statfs = op_statfs;
  return ops;
}

}  // namespace

int run_nfs_user_mount(const nfs_user_mount_options& options) {
  const std::string what = options.server + ":" + options.path;
  mount_state mounted;
  mounted.read_only = options.read_only;
  mounted.nfs = nfs_init_context();
  if (!mounted.nfs) {
    std::fprintf(stderr, "mount %s: cannot start an NFS client\n", what.c_str());
    return 1;
  }
  nfs_set_version(mounted.nfs, options.nfs_version);
  nfs_set_timeout(mounted.nfs, options.timeout_ms);
  if (nfs_mount(mounted.nfs, options.server.c_str(), options.path.c_str()) != 0) {
    std::fprintf(stderr, "mount %s: %s\n", what.c_str(), nfs_get_error(mounted.nfs));
    nfs_destroy_context(mounted.nfs);
    return 32;  // mount(8)'s "mount failure"
  }
  // Containers run as any user: allow_other; the server's modes decide (default_permissions).
  // A comma or backslash in the name is escaped: it cannot add an option.
  std::string fsname;
  for (char c : what) {
    if (c == ',' || c == '\\')
      fsname += '\\';
    fsname += c;
  }
  std::string fuse_options = "allow_other,default_permissions,fsname=" + fsname +
                             ",subtype=nfs" + (options.read_only ? ",ro" : "");
  std::vector<std::string> words = {"capstan-node-nfs", "-o", fuse_options};
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  auto ops = operations();
  fuse* session = fuse_new(&args, &ops, sizeof ops, &mounted);
  if (!session || fuse_mount(session, options.target.c_str()) != 0) {
    std::fprintf(stderr, "mount %s: cannot mount a FUSE file system on %s\n", what.c_str(),
                 options.target.c_str());
    if (session)
      fuse_destroy(session);
    nfs_destroy_context(mounted.nfs);
    return 32;
  }
  // The caller's process returns now (0: mounted); the served mount goes on in a child of its
  // own session, until TARGET is unmounted.
  if (fuse_daemonize(0) != 0) {
    fuse_unmount(session);
    fuse_destroy(session);
    return 1;
  }
  // SIGTERM, SIGINT, SIGHUP end the loop; the mount is undone below.
  fuse_set_signal_handlers(fuse_get_session(session));
  int status = fuse_loop(session);
  fuse_remove_signal_handlers(fuse_get_session(session));
  fuse_unmount(session);
  fuse_destroy(session);
  nfs_destroy_context(mounted.nfs);
  return status == 0 ? 0 : 1;
}

int nfs_user_mount_main(int argc, char** argv) {
  // A daemon that may live as long as its pod: none of the agent's descriptors (stdio aside),
  // none of its blocked signals, and at most daemon_address_space_bytes of memory (a server
  // that sends a directory without end makes the daemon fail, not the node).
  ::close_range(3, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
#if !defined(__SANITIZE_ADDRESS__)  // ASan reserves terabytes of address space up front
  const rlimit memory{daemon_address_space_bytes, daemon_address_space_bytes};
  ::setrlimit(RLIMIT_AS, &memory);
#endif
  nfs_user_mount_options options;
  std::vector<std::string> positional;
  bool flags_done = false, unknown_flag = false;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (flags_done)
      positional.push_back(word);
    else if (word == "--")
      flags_done = true;
    else if (word == "--read-only")
      options.read_only = true;
    else if (word == "--nfs-version=4")
      options.nfs_version = 4;
    else if (!word.empty() && word[0] == '-')
      unknown_flag = true;
    else
      positional.push_back(word);
  }
  if (unknown_flag || positional.size() != 3 || positional[0].empty() || positional[1].empty() ||
      positional[1][0] != '/' || positional[2].empty()) {
    std::fprintf(stderr,
                 "usage: capstan-node nfs-mount [--read-only] [--nfs-version=4] [--] SERVER /PATH "
                 "TARGET\n");
    return 2;
  }
  options.server = positional[0];
  options.path = positional[1];
  options.target = positional[2];
  return run_nfs_user_mount(options);
}

}  // namespace capstan::nodeagent
