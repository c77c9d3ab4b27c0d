// lossy_fs: a FUSE filesystem for power-loss tests. What was written but not synced lives only
// in this process's memory, so SIGKILL of this process is a power cut; mounting the same
// backing directory again shows what a machine would find after the cut. The model is in
// volume.hpp, the reasons in README.md.
//
// Usage: lossy_fs BACKING MOUNTPOINT [MAX_DIRTY_MIB]
// Runs in the foreground; prints "mounted" on stdout once MOUNTPOINT is mounted, and then lives
// while someone holds the read end of its stdout: when the last reader goes, it detaches the
// mount and exits, so that a test that dies leaves no mount behind. Exits too at unmount
// (fusermount3 -u MOUNTPOINT). Neither persists anything: both are power cuts.
#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/lossy_fs/volume.hpp"

namespace {

using capstan::lossy_fs::dir_entry;
using capstan::lossy_fs::volume;

// Only this process changes the tree, so the kernel may cache names and attributes.
constexpr double cache_seconds = 1.0;

volume& disk(fuse_req_t req) {
  return *static_cast<volume*>(fuse_req_userdata(req));
}

fuse_entry_param entry_of(const struct stat& attributes) {
  fuse_entry_param entry{};
  entry.ino = attributes.st_ino;
  entry.attr = attributes;
  entry.attr_timeout = entry.entry_timeout = cache_seconds;
  return entry;
}

void reply_entry(fuse_req_t req, int error, const struct stat& attributes) {
  if (error) {
    fuse_reply_err(req, error);
    return;
  }
  fuse_entry_param entry = entry_of(attributes);
  fuse_reply_entry(req, &entry);
}

void reply_attr(fuse_req_t req, int error, const struct stat& attributes) {
  if (error)
    fuse_reply_err(req, error);
  else
    fuse_reply_attr(req, &attributes, cache_seconds);
}

void init(void*, fuse_conn_info* conn) {
  // Every write must reach this process when it is made: with a kernel writeback cache, data
  // would sit in the kernel, outside the model.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  struct stat st;
  reply_entry(req, disk(req).lookup(parent, name, st), st);
}

void forget(fuse_req_t req, fuse_ino_t, uint64_t) {
  fuse_reply_none(req);  // inodes live until the process ends (volume.hpp: memory)
}

void forget_multi(fuse_req_t req, size_t, fuse_forget_data*) {
  fuse_reply_none(req);
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  struct stat st;
  reply_attr(req, disk(req).getattr(ino, st), st);
}

void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attributes, int to_set, fuse_file_info*) {
  struct stat st;
  reply_attr(req, disk(req).setattr(ino, *attributes, to_set, st), st);
}

void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  const fuse_ctx* caller = fuse_req_ctx(req);
  struct stat st;
  reply_entry(
      req, disk(req).mkdir(parent, name, mode & ~caller->umask, caller->uid, caller->gid, st), st);
}

// A descriptor opened O_DSYNC (or O_SYNC, which includes it) makes each of its writes durable
// when it returns, as write + fdatasync. Kept in the handle.
constexpr uint64_t synchronized_writes = 1;

void remember_sync_flags(fuse_file_info* fi) {
  fi->fh = (fi->flags & O_DSYNC) == O_DSYNC ? synchronized_writes : 0;
}

void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  const fuse_ctx* caller = fuse_req_ctx(req);
  struct stat st;
  int error = disk(req).create(parent, name, mode & ~caller->umask, caller->uid, caller->gid, st);
  if (!error)
    error = disk(req).open(st.st_ino, false);
  if (error) {
    fuse_reply_err(req, error);
    return;
  }
  remember_sync_flags(fi);
  fuse_entry_param entry = entry_of(st);
  if (fuse_reply_create(req, &entry, fi) != 0)
    disk(req).release(st.st_ino);
}

void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char* name) {
  struct stat st;
  reply_entry(req, disk(req).link(ino, parent, name, st), st);
}

void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, disk(req).unlink(parent, name));
}

void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, disk(req).rmdir(parent, name));
}

void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
            const char* new_name, unsigned flags) {
  fuse_reply_err(req, disk(req).rename(parent, name, new_parent, new_name, flags));
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  int error = disk(req).open(ino, (fi->flags & O_TRUNC) != 0);
  remember_sync_flags(fi);
  if (error)
    fuse_reply_err(req, error);
  else if (fuse_reply_open(req, fi) != 0)
    disk(req).release(ino);
}

void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info*) {
  std::string data;
  int error = disk(req).read(ino, static_cast<uint64_t>(offset), size, data);
  if (error)
    fuse_reply_err(req, error);
  else
    fuse_reply_buf(req, data.data(), data.size());
}

void write(fuse_req_t req, fuse_ino_t ino, const char* data, size_t size, off_t offset,
           fuse_file_info* fi) {
  int error = disk(req).write(ino, static_cast<uint64_t>(offset), data, size);
  // So does a single write made with RWF_DSYNC (pwritev2, or io_submit's aio_rw_flags: C-Raft
  // writes its log so): the kernel adds O_DSYNC to the flags of that write request. (After a
  // direct, asynchronous write FUSE sends no fsync of its own, unlike a buffered one.)
  bool write_through = fi && ((fi->fh & synchronized_writes) || (fi->flags & O_DSYNC) == O_DSYNC);
  if (!error && write_through)
    error = disk(req).fsync(ino);
  if (error)
    fuse_reply_err(req, error);
  else
    fuse_reply_write(req, size);
}

void flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);  // close(2) persists nothing
}

void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  disk(req).release(ino);
  fuse_reply_err(req, 0);
}

void fsync(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  fuse_reply_err(req, disk(req).fsync(ino));
}

// A directory's listing is taken at opendir, so that offsets stay valid while it changes.
void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto listing = std::make_unique<std::vector<dir_entry>>();
  int error = disk(req).list(ino, *listing);
  if (error) {
    fuse_reply_err(req, error);
    return;
  }
  fi->fh = reinterpret_cast<uint64_t>(listing.get());
  if (fuse_reply_open(req, fi) == 0)
    listing.release();
}

void readdir(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info* fi) {
  const auto& listing = *reinterpret_cast<std::vector<dir_entry>*>(fi->fh);
  std::vector<char> buffer(size);
  std::size_t used = 0;
  for (std::size_t i = static_cast<std::size_t>(offset); i < listing.size(); ++i) {
    struct stat st {};
    st.st_ino = listing[i].inode;
    st.st_mode = listing[i].mode;
    std::size_t needed = fuse_add_direntry(req, buffer.data() + used, size - used,
                                           listing[i].name.c_str(), &st, static_cast<off_t>(i + 1));
    if (needed > size - used)
      break;
    used += needed;
  }
  fuse_reply_buf(req, buffer.data(), used);
}

void releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete reinterpret_cast<std::vector<dir_entry>*>(fi->fh);
  fuse_reply_err(req, 0);
}

void fsyncdir(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  fuse_reply_err(req, disk(req).fsyncdir(ino));
}

void statfs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st;
  int error = disk(req).statfs(st);
  if (error)
    fuse_reply_err(req, error);
  else
    fuse_reply_statfs(req, &st);
}

// A pipe's writer sees POLLERR once no reader is left: whoever started lossy_fs has ended, maybe
// without cleaning up. Then the mount is detached and the process ends, a power cut too.
void unmount_when_reader_leaves(std::string mountpoint) {
  pollfd out{STDOUT_FILENO, 0, 0};
  while (poll(&out, 1, -1) < 0 && errno == EINTR) {
  }
  if (umount2(mountpoint.c_str(), MNT_DETACH) != 0)  // not root: the set-uid helper may
    execlp("fusermount3", "fusermount3", "-u", "-z", mountpoint.c_str(), nullptr);
  _exit(1);
}

fuse_lowlevel_ops operations() {
  fuse_lowlevel_ops ops{};
  ops.init = init;
  ops.lookup = lookup;
  ops.forget = forget;
  ops.forget_multi = forget_multi;
  ops.getattr = getattr;
  ops.setattr = setattr;
  ops.mkdir = mkdir;
  ops.create = create;
  ops.link = link;
  ops.unlink = unlink;
  ops.rmdir = rmdir;
  ops.rename = rename;
  ops.open = open;
  ops.read = read;
  ops.write = write;
  ops.flush = flush;
  ops.release = release;
  ops.fsync = fsync;
  ops.opendir = opendir;
  ops.readdir = readdir;
  ops.releasedir = releasedir;
  ops.fsyncdir = fsyncdir;
  ops.statfs = statfs;
  return ops;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: lossy_fs BACKING MOUNTPOINT [MAX_DIRTY_MIB]\n");
    return 2;
  }
  std::size_t max_dirty_mib = argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 64;
  try {
    volume disk(argv[1], max_dirty_mib << 20);
    char* fuse_argv[] = {argv[0], const_cast<char*>("-o"),
                         const_cast<char*>("fsname=lossy_fs,subtype=lossy_fs"), nullptr};
    fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
    auto ops = operations();
    fuse_session* session = fuse_session_new(&args, &ops, sizeof ops, &disk);
    if (!session)
      return 1;
    if (fuse_set_signal_handlers(session) != 0 || fuse_session_mount(session, argv[2]) != 0) {
      fuse_session_destroy(session);
      return 1;
    }
    std::printf("mounted\n");
    std::fflush(stdout);
    std::thread(unmount_when_reader_leaves, std::string(argv[2])).detach();
    int result = fuse_session_loop(session);
    fuse_session_unmount(session);
    fuse_remove_signal_handlers(session);
    fuse_session_destroy(session);
    return result == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lossy_fs: %s\n", e.what());
    return 1;
  }
}
