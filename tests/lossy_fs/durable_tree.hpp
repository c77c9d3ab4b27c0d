// lossy_fs's durable names: every directory's entries as of its last fsync, with the mode and
// owner of each inode they reach, as stored in BACKING/tree. This file is the format of `tree`
// and the upkeep of the disk it describes; volume keeps the live and the durable entries in
// memory and writes a snapshot here at each directory fsync. File content is not its business
// (page_cache.hpp).
//
// Format: text, the line "lossy_fs-tree 1", then one record a line:
//   I INO MODE UID GID       an inode (MODE in octal, with S_IFDIR or S_IFREG); the root first
//   E PARENT CHILD NAME      NAME (the rest of the line) is an entry of directory PARENT
// An entry follows the I lines of both of its inodes; a file may have several entries.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capstan::lossy_fs {

using inode_id = uint64_t;
inline constexpr inode_id root_inode = 1;  // FUSE_ROOT_ID

struct durable_inode {
  inode_id id;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

struct durable_entry {
  inode_id parent;
  inode_id child;
  std::string name;
};

struct durable_tree {
  std::vector<durable_inode> inodes;  // in the order of `tree`: the root first
  std::vector<durable_entry> entries;
};

// 0 for a name that can be an entry; EINVAL for "", ".", ".." and names with '/' or a newline
// (names end up as the rest of a line of `tree`); ENAMETOOLONG past 255 bytes.
int check_name(const std::string& name);

// Reads BACKING/tree, after deleting a BACKING/tree.tmp that a cut left behind; nullopt when
// there is no tree (an empty disk). Throws std::runtime_error naming the first line that is no
// record, repeats an inode, or names an unknown inode, a non-directory parent or a bad name; or
// when the root is not a directory.
std::optional<durable_tree> read_tree(const std::string& backing);

// Replaces BACKING/tree with `tree` atomically: BACKING/tree.tmp, then rename(2). Not fsynced:
// the host is the platter (README.md). Throws std::runtime_error when it cannot.
void write_tree(const std::string& backing, const durable_tree& tree);

// Deletes the files of BACKING/data that are not the content of a file in `tree`: files fsynced
// whose names never were, gone at the cut. Throws std::runtime_error when data/ cannot be listed.
void collect_garbage(const std::string& backing, const durable_tree& tree);

}  // namespace capstan::lossy_fs
