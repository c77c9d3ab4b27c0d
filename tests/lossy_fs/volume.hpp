// lossy_fs's model of a disk behind a page cache: what a power cut keeps is exactly what was
// synced. Plain logic over inode numbers, driven by the FUSE glue in lossy_fs.cpp: the inodes
// and their live names are here; file content is in page_cache.hpp, the names that survive a
// cut in durable_tree.hpp.
//
// Durability contract (POSIX's, taken literally; see README.md beside this file):
// - File content and size: written to the page cache (memory); durable only at fsync or
//   fdatasync of the file (both persist content and size, nothing else). close() persists
//   nothing, as a real page cache.
// - Names (create, mkdir, link, unlink, rmdir, rename): changes of the directory, in memory;
//   durable only at fsync of that directory, which persists all its entries as they are then.
//   A file fsynced but never named by a synced directory is gone after a cut.
// - Mode and owner: kept with the names (written at the next directory sync); times are not
//   kept across a cut.
// Nothing else persists: no periodic writeback, no sync at unmount. A power cut is the end of
// the process without a goodbye (SIGKILL): the memory of this object is the page cache.
//
// The disk is the backing directory: `tree` (the durable names, inodes and modes, replaced
// atomically with rename(2) at every directory sync) and `data/INO` (the durable content of
// file INO, written at its fsync). The host's own page cache is trusted as the platter: the
// host does not lose power in a test, so the backing files are not fsynced themselves.
//
// Memory: dirty pages are capped at `max_dirty_bytes` (a write that would need more fails with
// ENOSPC, and says so on stderr); the pages of a file unlinked and closed are freed at once.
// Besides that, a few hundred bytes per inode created or loaded in this mount (inodes are
// never forgotten before the process ends) plus the directory entries.
//
// Thread-safety: none; the FUSE session loop is single-threaded.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/lossy_fs/durable_tree.hpp"
#include "tests/lossy_fs/page_cache.hpp"

namespace capstan::lossy_fs {

struct dir_entry {
  std::string name;
  inode_id inode;
  mode_t mode;  // S_IFDIR or S_IFREG and permissions
};

// Every operation returns 0 or a positive errno; a failed one changes nothing.
class volume {
public:
  // Mounts the disk in `backing` (an empty directory is an empty disk): reads `tree`, and
  // deletes the data of inodes it does not name (fsynced files whose names were never synced).
  // Throws std::runtime_error when the disk cannot be read.
  volume(std::string backing, std::size_t max_dirty_bytes);
  ~volume();
  volume(const volume&) = delete;
  volume& operator=(const volume&) = delete;

  int lookup(inode_id parent, const std::string& name, struct stat& out) const;
  int getattr(inode_id inode, struct stat& out) const;
  // Applies the attributes FUSE_SET_ATTR_* in `to_set` (size, mode, owner, times).
  int setattr(inode_id inode, const struct stat& attributes, int to_set, struct stat& out);

  int create(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
             struct stat& out);
  int mkdir(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
            struct stat& out);
  int link(inode_id inode, inode_id parent, const std::string& name, struct stat& out);
  int unlink(inode_id parent, const std::string& name);
  int rmdir(inode_id parent, const std::string& name);
  // RENAME_NOREPLACE is honoured; RENAME_EXCHANGE and RENAME_WHITEOUT are refused (EINVAL).
  int rename(inode_id parent, const std::string& name, inode_id new_parent,
             const std::string& new_name, unsigned flags);
  int list(inode_id directory, std::vector<dir_entry>& out) const;

  // A file opened (and released): the pages of an unlinked file live until its last release.
  int open(inode_id inode, bool truncate);
  void release(inode_id inode);
  int read(inode_id inode, uint64_t offset, std::size_t size, std::string& out) const;
  int write(inode_id inode, uint64_t offset, const char* data, std::size_t size);

  // The file's content and size become durable.
  int fsync(inode_id inode);
  // The directory's entries become durable.
  int fsyncdir(inode_id directory);

  int statfs(struct statvfs& out) const;

private:
  struct inode;
  inode* find(inode_id id) const;
  inode* find_entry(const inode& directory, const std::string& name) const;
  // The directory `id` (else nullptr, with ENOENT or ENOTDIR in `error`).
  inode* find_directory(inode_id id, int& error) const;
  // The inode named `name` in directory `parent`, and that directory in `directory` (else
  // nullptr, with ENOENT or ENOTDIR in `error`).
  inode* find_child(inode_id parent, const std::string& name, inode*& directory, int& error) const;
  // The directory `parent` when `name` can be added to it (else nullptr, with the errno in
  // `error`).
  inode* directory_for_new_entry(inode_id parent, const std::string& name, int& error) const;
  // create and mkdir: a new inode of `mode` (S_IFREG or S_IFDIR and permissions) named `name`.
  int add(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
          struct stat& out);
  inode& make_inode(mode_t mode, uid_t uid, gid_t gid);
  void set_size(inode& file, uint64_t size);
  void forget_unreachable_pages(inode& file);
  // At mount: the inodes, live entries and durable entries of `tree` (as read_tree checked it).
  void load(const durable_tree& tree);
  // What a directory fsync persists: all that the root reaches through durable entries.
  durable_tree durable_snapshot() const;
  std::string data_path(inode_id id) const;

  const std::string backing_;
  page_cache cache_;
  std::map<inode_id, std::unique_ptr<inode>> inodes_;
  inode_id next_inode_ = root_inode + 1;
};

}  // namespace capstan::lossy_fs
