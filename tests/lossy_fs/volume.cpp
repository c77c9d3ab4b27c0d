#include "tests/lossy_fs/volume.hpp"

#include <linux/fs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>

namespace capstan::lossy_fs {

namespace {

timespec now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

}  // namespace

struct volume::inode {
  inode_id id = 0;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  nlink_t nlink = 0;   // live names (directories: 2 + subdirectories)
  unsigned opens = 0;  // open files, for the pages of unlinked ones
  timespec mtime{}, ctime{};
  // Directories.
  inode_id parent = 0;                              // the live parent (root: itself)
  std::map<std::string, inode_id> entries;          // live
  std::map<std::string, inode_id> durable_entries;  // as of the last fsyncdir
  // Files.
  file_content content;

  bool is_dir() const { return S_ISDIR(mode); }
};

volume::volume(std::string backing, std::size_t max_dirty_bytes)
    : backing_(std::move(backing)), cache_(max_dirty_bytes) {
  if (::mkdir((backing_ + "/data").c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + backing_ + "/data: " + std::strerror(errno));
  auto tree = read_tree(backing_);
  if (tree) {
    load(*tree);
  } else {
    next_inode_ = root_inode;
    auto& root = make_inode(S_IFDIR | 0755, getuid(), getgid());
    root.nlink = 2;
    root.parent = root.id;
  }
  collect_garbage(backing_, tree ? *tree : durable_tree{});
}

volume::~volume() = default;

std::string volume::data_path(inode_id id) const {
  return backing_ + "/data/" + std::to_string(id);
}

volume::inode* volume::find(inode_id id) const {
  auto it = inodes_.find(id);
  return it == inodes_.end() ? nullptr : it->second.get();
}

volume::inode* volume::find_entry(const inode& directory, const std::string& name) const {
  auto it = directory.entries.find(name);
  return it == directory.entries.end() ? nullptr : find(it->second);
}

volume::inode* volume::find_directory(inode_id id, int& error) const {
  inode* directory = find(id);
  error = !directory ? ENOENT : !directory->is_dir() ? ENOTDIR : 0;
  return error ? nullptr : directory;
}

volume::inode* volume::find_child(inode_id parent, const std::string& name, inode*& directory,
                                  int& error) const {
  directory = find_directory(parent, error);
  inode* child = directory ? find_entry(*directory, name) : nullptr;
  if (directory && !child)
    error = ENOENT;
  return child;
}

volume::inode& volume::make_inode(mode_t mode, uid_t uid, gid_t gid) {
  auto node = std::make_unique<inode>();
  node->id = next_inode_++;
  node->mode = mode;
  node->uid = uid;
  node->gid = gid;
  node->mtime = node->ctime = now();
  auto& result = *node;
  inodes_.emplace(result.id, std::move(node));
  return result;
}

// ---- the disk ----

void volume::load(const durable_tree& tree) {
  timespec loaded = now();
  for (const auto& record : tree.inodes) {
    auto node = std::make_unique<inode>();
    node->id = record.id;
    node->mode = record.mode;
    node->uid = record.uid;
    node->gid = record.gid;
    node->mtime = node->ctime = loaded;
    node->nlink = node->is_dir() ? 2 : 0;
    if (!node->is_dir())
      page_cache::load(node->content, data_path(node->id));
    next_inode_ = std::max(next_inode_, node->id + 1);
    inodes_.emplace(node->id, std::move(node));
  }
  for (const auto& entry : tree.entries) {
    inode* parent = find(entry.parent);
    inode* child = find(entry.child);
    parent->entries[entry.name] = parent->durable_entries[entry.name] = child->id;
    if (child->is_dir()) {
      child->parent = parent->id;
      ++parent->nlink;
    } else {
      ++child->nlink;
    }
  }
  find(root_inode)->parent = root_inode;
}

durable_tree volume::durable_snapshot() const {
  durable_tree tree;
  std::set<inode_id> seen{root_inode};
  std::vector<const inode*> directories{find(root_inode)};
  auto describe = [&](const inode& node) {
    tree.inodes.push_back({node.id, node.mode, node.uid, node.gid});
  };
  describe(*directories.front());
  while (!directories.empty()) {
    const inode* directory = directories.back();
    directories.pop_back();
    for (const auto& [name, id] : directory->durable_entries) {
      const inode* child = find(id);
      tree.entries.push_back({directory->id, id, name});
      if (!seen.insert(id).second)
        continue;  // a file's second name
      describe(*child);
      if (child->is_dir())
        directories.push_back(child);
    }
  }
  return tree;
}

// ---- content ----

void volume::set_size(inode& file, uint64_t size) {
  cache_.resize(file.content, size);
  file.mtime = file.ctime = now();
}

void volume::forget_unreachable_pages(inode& file) {
  if (file.is_dir() || file.nlink > 0 || file.opens > 0)
    return;
  cache_.drop(file.content);
}

int volume::read(inode_id id, uint64_t offset, std::size_t size, std::string& out) const {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  cache_.read(file->content, offset, size, out);
  return 0;
}

int volume::write(inode_id id, uint64_t offset, const char* data, std::size_t size) {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  if (size == 0)
    return 0;  // changes nothing, not even the times
  if (int error = cache_.write(file->content, offset, data, size))
    return error;
  file->mtime = file->ctime = now();
  return 0;
}

int volume::fsync(inode_id id) {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return fsyncdir(id);
  return cache_.sync(file->content, data_path(id));
}

int volume::fsyncdir(inode_id id) {
  int error = 0;
  inode* directory = find_directory(id, error);
  if (!directory)
    return error;
  auto before = directory->durable_entries;
  directory->durable_entries = directory->entries;
  try {
    write_tree(backing_, durable_snapshot());
  } catch (const std::exception& e) {
    directory->durable_entries.swap(before);
    std::fprintf(stderr, "lossy_fs: %s\n", e.what());
    return EIO;
  }
  return 0;
}

// ---- names ----

int volume::lookup(inode_id parent, const std::string& name, struct stat& out) const {
  inode* directory = nullptr;
  int error = 0;
  inode* child = find_child(parent, name, directory, error);
  return child ? getattr(child->id, out) : error;
}

int volume::getattr(inode_id id, struct stat& out) const {
  inode* node = find(id);
  if (!node)
    return ENOENT;
  out = {};
  out.st_ino = node->id;
  out.st_mode = node->mode;
  out.st_nlink = node->nlink;
  out.st_uid = node->uid;
  out.st_gid = node->gid;
  out.st_size =
      node->is_dir() ? static_cast<off_t>(page_size) : static_cast<off_t>(node->content.size);
  out.st_blksize = page_size;
  out.st_blocks = (out.st_size + 511) / 512;
  out.st_atim = out.st_mtim = node->mtime;
  out.st_ctim = node->ctime;
  return 0;
}

int volume::setattr(inode_id id, const struct stat& attributes, int to_set, struct stat& out) {
  // The FUSE_SET_ATTR_* bits of fuse_lowlevel.h, repeated so that this model needs no FUSE.
  constexpr int set_mode = 1 << 0, set_uid = 1 << 1, set_gid = 1 << 2, set_size = 1 << 3,
                set_mtime = 1 << 5, set_mtime_now = 1 << 8;
  inode* node = find(id);
  if (!node)
    return ENOENT;
  if ((to_set & set_size) && node->is_dir())
    return EISDIR;
  if ((to_set & set_size) && static_cast<uint64_t>(attributes.st_size) > max_file_size)
    return EFBIG;
  if (to_set & set_size)
    this->set_size(*node, static_cast<uint64_t>(attributes.st_size));
  if (to_set & set_mode)
    node->mode = (node->mode & S_IFMT) | (attributes.st_mode & 07777);
  if (to_set & set_uid)
    node->uid = attributes.st_uid;
  if (to_set & set_gid)
    node->gid = attributes.st_gid;
  if (to_set & set_mtime)
    node->mtime = attributes.st_mtim;
  if (to_set & set_mtime_now)
    node->mtime = now();
  node->ctime = now();
  return getattr(id, out);
}

volume::inode* volume::directory_for_new_entry(inode_id parent, const std::string& name,
                                               int& error) const {
  inode* directory = find_directory(parent, error);
  if (directory)
    error = check_name(name);
  if (!error && find_entry(*directory, name))
    error = EEXIST;
  return error ? nullptr : directory;
}

int volume::add(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
                struct stat& out) {
  int error = 0;
  inode* directory = directory_for_new_entry(parent, name, error);
  if (!directory)
    return error;
  inode& child = make_inode(mode, uid, gid);
  if (child.is_dir()) {
    child.nlink = 2;
    child.parent = directory->id;
    ++directory->nlink;
  } else {
    child.nlink = 1;
  }
  directory->entries[name] = child.id;
  directory->mtime = directory->ctime = now();
  return getattr(child.id, out);
}

int volume::create(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
                   struct stat& out) {
  return add(parent, name, S_IFREG | (mode & 07777), uid, gid, out);
}

int volume::mkdir(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
                  struct stat& out) {
  return add(parent, name, S_IFDIR | (mode & 07777), uid, gid, out);
}

int volume::link(inode_id id, inode_id parent, const std::string& name, struct stat& out) {
  inode* file = find(id);
  if (!file || !find(parent))
    return ENOENT;
  if (file->is_dir())
    return EPERM;
  int error = 0;
  inode* directory = directory_for_new_entry(parent, name, error);
  if (!directory)
    return error;
  directory->entries[name] = file->id;
  ++file->nlink;
  file->ctime = directory->mtime = directory->ctime = now();
  return getattr(id, out);
}

int volume::unlink(inode_id parent, const std::string& name) {
  inode* directory = nullptr;
  int error = 0;
  inode* file = find_child(parent, name, directory, error);
  if (!file)
    return error;
  if (file->is_dir())
    return EISDIR;
  directory->entries.erase(name);
  --file->nlink;
  file->ctime = directory->mtime = directory->ctime = now();
  forget_unreachable_pages(*file);
  return 0;
}

int volume::rmdir(inode_id parent, const std::string& name) {
  inode* directory = nullptr;
  int error = 0;
  inode* child = find_child(parent, name, directory, error);
  if (!child)
    return error;
  if (!child->is_dir())
    return ENOTDIR;
  if (!child->entries.empty())
    return ENOTEMPTY;
  directory->entries.erase(name);
  --directory->nlink;
  child->nlink = 0;
  directory->mtime = directory->ctime = now();
  return 0;
}

int volume::rename(inode_id parent, const std::string& name, inode_id new_parent,
                   const std::string& new_name, unsigned flags) {
  if (flags & ~static_cast<unsigned>(RENAME_NOREPLACE))
    return EINVAL;
  inode* from = find(parent);
  inode* to = find(new_parent);
  if (!from || !to)
    return ENOENT;
  if (!from->is_dir() || !to->is_dir())
    return ENOTDIR;
  if (int error = check_name(new_name))
    return error;
  inode* source = find_entry(*from, name);
  if (!source)
    return ENOENT;
  // A directory keeps one parent, so that the durable tree stays a tree whichever of the two
  // directories is synced first; tools such as mv fall back to copying on EXDEV.
  if (source->is_dir() && from != to)
    return EXDEV;
  inode* target = find_entry(*to, new_name);
  if (target) {
    if (flags & RENAME_NOREPLACE)
      return EEXIST;
    if (target == source)
      return 0;
    if (source->is_dir() && !target->is_dir())
      return ENOTDIR;
    if (!source->is_dir() && target->is_dir())
      return EISDIR;
    if (target->is_dir() && !target->entries.empty())
      return ENOTEMPTY;
    if (target->is_dir()) {
      --to->nlink;
      target->nlink = 0;
    } else {
      --target->nlink;
      forget_unreachable_pages(*target);
    }
  }
  from->entries.erase(name);
  to->entries[new_name] = source->id;
  source->ctime = from->mtime = from->ctime = to->mtime = to->ctime = now();
  return 0;
}

int volume::list(inode_id id, std::vector<dir_entry>& out) const {
  int error = 0;
  inode* directory = find_directory(id, error);
  if (!directory)
    return error;
  out.clear();
  out.push_back({".", directory->id, directory->mode});
  out.push_back({"..", directory->parent, S_IFDIR | 0755});
  for (const auto& [name, child_id] : directory->entries)
    out.push_back({name, child_id, find(child_id)->mode});
  return 0;
}

int volume::open(inode_id id, bool truncate) {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  ++file->opens;
  if (truncate)
    set_size(*file, 0);
  return 0;
}

void volume::release(inode_id id) {
  inode* file = find(id);
  if (!file || file->opens == 0)
    return;
  --file->opens;
  forget_unreachable_pages(*file);
}

int volume::statfs(struct statvfs& out) const {
  if (::statvfs(backing_.c_str(), &out) != 0)
    return errno;
  out.f_namemax = 255;
  return 0;
}

}  // namespace capstan::lossy_fs
