#include "tests/lossy_fs/volume.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace capstan::lossy_fs {

namespace {

constexpr const char* tree_header = "lossy_fs-tree 1";
constexpr uint64_t max_file_size = uint64_t(1) << 40;

timespec now() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

// Names end up as the rest of a line of `tree`.
int check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find_first_of("/\n") != std::string::npos)
    return EINVAL;
  return name.size() > 255 ? ENAMETOOLONG : 0;
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
  // Files. The live content is: dirty pages where there are some, else data/ID below
  // clean_limit, else zeros; up to size.
  uint64_t size = 0;
  uint64_t clean_limit = 0;  // invariant: clean_limit <= size
  int data_fd = -1;          // data/ID, once it exists
  std::map<uint64_t, std::unique_ptr<char[]>> dirty;

  bool is_dir() const { return S_ISDIR(mode); }
};

volume::volume(std::string backing, std::size_t max_dirty_bytes)
    : backing_(std::move(backing)), max_dirty_bytes_(max_dirty_bytes) {
  if (::mkdir((backing_ + "/data").c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + backing_ + "/data: " + std::strerror(errno));
  ::unlink((backing_ + "/tree.tmp").c_str());
  load_tree();
  collect_garbage();
}

volume::~volume() {
  for (auto& [id, node] : inodes_)
    if (node->data_fd >= 0)
      ::close(node->data_fd);
}

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

void volume::load_tree() {
  std::ifstream in(backing_ + "/tree");
  if (!in) {
    next_inode_ = root_inode;
    auto& root = make_inode(S_IFDIR | 0755, getuid(), getgid());
    root.nlink = 2;
    root.parent = root.id;
    return;
  }
  auto corrupt = [&](const std::string& line) {
    return std::runtime_error(backing_ + "/tree: cannot read line \"" + line + "\"");
  };
  std::string line;
  if (!std::getline(in, line) || line != tree_header)
    throw corrupt(line);
  timespec loaded = now();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    char kind = 0;
    fields >> kind;
    if (kind == 'I') {
      auto node = std::make_unique<inode>();
      unsigned long long id;
      unsigned mode, uid, gid;
      if (!(fields >> id >> std::oct >> mode >> std::dec >> uid >> gid) || find(id))
        throw corrupt(line);
      node->id = id;
      node->mode = mode;
      node->uid = uid;
      node->gid = gid;
      node->mtime = node->ctime = loaded;
      node->nlink = node->is_dir() ? 2 : 0;
      if (!node->is_dir()) {
        node->data_fd = ::open(data_path(id).c_str(), O_RDWR | O_CLOEXEC);
        struct stat st;
        if (node->data_fd >= 0 && fstat(node->data_fd, &st) == 0)
          node->size = node->clean_limit = static_cast<uint64_t>(st.st_size);
      }
      next_inode_ = std::max(next_inode_, node->id + 1);
      inodes_.emplace(node->id, std::move(node));
    } else if (kind == 'E') {
      unsigned long long parent_id, child_id;
      if (!(fields >> parent_id >> child_id) || fields.get() != ' ')
        throw corrupt(line);
      std::string name;
      std::getline(fields, name);
      inode* parent = find(parent_id);
      inode* child = find(child_id);
      if (!parent || !parent->is_dir() || !child || check_name(name) != 0)
        throw corrupt(line);
      parent->entries[name] = parent->durable_entries[name] = child->id;
      if (child->is_dir()) {
        child->parent = parent->id;
        ++parent->nlink;
      } else {
        ++child->nlink;
      }
    } else {
      throw corrupt(line);
    }
  }
  inode* root = find(root_inode);
  if (!root || !root->is_dir())
    throw std::runtime_error(backing_ + "/tree has no root directory");
  root->parent = root_inode;
}

// Data of inodes `tree` does not name: files fsynced whose names never were. Gone at a cut.
void volume::collect_garbage() const {
  DIR* dir = opendir((backing_ + "/data").c_str());
  if (!dir)
    throw std::runtime_error("cannot list " + backing_ + "/data: " + std::strerror(errno));
  std::vector<std::string> orphans;
  while (auto* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..")
      continue;
    char* end = nullptr;
    unsigned long long id = std::strtoull(name.c_str(), &end, 10);
    inode* node = *end == '\0' ? find(id) : nullptr;
    if (!node || node->is_dir())
      orphans.push_back(name);
  }
  closedir(dir);
  for (const auto& name : orphans)
    ::unlink((backing_ + "/data/" + name).c_str());
}

// Everything reachable from the root through durable entries, replacing `tree` atomically.
void volume::write_tree() const {
  std::ostringstream inodes, entries;
  std::set<inode_id> seen{root_inode};
  std::vector<const inode*> directories{find(root_inode)};
  auto describe = [&](const inode& node) {
    inodes << "I " << node.id << ' ' << std::oct << node.mode << std::dec << ' ' << node.uid << ' '
           << node.gid << '\n';
  };
  describe(*directories.front());
  while (!directories.empty()) {
    const inode* directory = directories.back();
    directories.pop_back();
    for (const auto& [name, id] : directory->durable_entries) {
      const inode* child = find(id);
      entries << "E " << directory->id << ' ' << id << ' ' << name << '\n';
      if (!seen.insert(id).second)
        continue;  // a file's second name
      describe(*child);
      if (child->is_dir())
        directories.push_back(child);
    }
  }
  std::string text = std::string(tree_header) + "\n" + inodes.str() + entries.str();
  std::string temporary = backing_ + "/tree.tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()) ||
      ::rename(temporary.c_str(), (backing_ + "/tree").c_str()) != 0)
    throw std::runtime_error("cannot write " + backing_ + "/tree: " + std::strerror(errno));
}

// ---- content ----

void volume::fill(const inode& file, uint64_t page, char* out) const {
  std::memset(out, 0, page_size);
  uint64_t start = page * page_size;
  if (file.data_fd < 0 || start >= file.clean_limit)
    return;
  std::size_t wanted =
      static_cast<std::size_t>(std::min<uint64_t>(page_size, file.clean_limit - start));
  std::size_t done = 0;
  while (done < wanted) {
    ssize_t n = ::pread(file.data_fd, out + done, wanted - done, static_cast<off_t>(start + done));
    if (n <= 0)
      break;  // end of the durable file: zeros, as a hole
    done += static_cast<std::size_t>(n);
  }
}

void volume::set_size(inode& file, uint64_t size) {
  if (size < file.size) {
    auto first_gone = file.dirty.lower_bound((size + page_size - 1) / page_size);
    dirty_pages_ -= static_cast<std::size_t>(std::distance(first_gone, file.dirty.end()));
    file.dirty.erase(first_gone, file.dirty.end());
    auto partial = file.dirty.find(size / page_size);
    if (size % page_size != 0 && partial != file.dirty.end())
      std::memset(partial->second.get() + size % page_size, 0, page_size - size % page_size);
    file.clean_limit = std::min(file.clean_limit, size);
  }
  file.size = size;
  file.mtime = file.ctime = now();
}

void volume::forget_unreachable_pages(inode& file) {
  if (file.is_dir() || file.nlink > 0 || file.opens > 0)
    return;
  dirty_pages_ -= file.dirty.size();
  file.dirty.clear();
  if (file.data_fd >= 0)
    ::close(file.data_fd);
  file.data_fd = -1;  // data/ID stays while `tree` may name it; the next mount collects it
}

int volume::read(inode_id id, uint64_t offset, std::size_t size, std::string& out) const {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  out.clear();
  uint64_t end = std::min<uint64_t>(file->size, offset + size);
  if (offset >= end)
    return 0;
  out.resize(static_cast<std::size_t>(end - offset));
  char page[page_size];
  for (uint64_t at = offset; at < end;) {
    uint64_t number = at / page_size;
    std::size_t within = static_cast<std::size_t>(at % page_size);
    std::size_t length = static_cast<std::size_t>(std::min<uint64_t>(page_size - within, end - at));
    auto dirty = file->dirty.find(number);
    const char* source = page;
    if (dirty != file->dirty.end())
      source = dirty->second.get();
    else
      fill(*file, number, page);
    std::memcpy(&out[static_cast<std::size_t>(at - offset)], source + within, length);
    at += length;
  }
  return 0;
}

int volume::write(inode_id id, uint64_t offset, const char* data, std::size_t size) {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  if (size == 0)
    return 0;
  if (offset + size > max_file_size)
    return EFBIG;
  uint64_t first = offset / page_size, last = (offset + size - 1) / page_size;
  std::size_t new_pages = 0;
  for (uint64_t p = first; p <= last; ++p)
    new_pages += file->dirty.count(p) == 0;
  if ((dirty_pages_ + new_pages) * page_size > max_dirty_bytes_) {
    std::fprintf(stderr,
                 "lossy_fs: write refused (ENOSPC): %zu dirty bytes would pass the cap of %zu\n",
                 (dirty_pages_ + new_pages) * page_size, max_dirty_bytes_);
    return ENOSPC;
  }
  for (uint64_t at = offset; at < offset + size;) {
    uint64_t number = at / page_size;
    std::size_t within = static_cast<std::size_t>(at % page_size);
    std::size_t length =
        static_cast<std::size_t>(std::min<uint64_t>(page_size - within, offset + size - at));
    auto& page = file->dirty[number];
    if (!page) {
      page = std::make_unique<char[]>(page_size);
      fill(*file, number, page.get());
      ++dirty_pages_;
    }
    std::memcpy(page.get() + within, data + (at - offset), length);
    at += length;
  }
  file->size = std::max(file->size, offset + size);
  file->mtime = file->ctime = now();
  return 0;
}

int volume::fsync(inode_id id) {
  inode* file = find(id);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return fsyncdir(id);
  if (file->data_fd < 0) {
    file->data_fd = ::open(data_path(id).c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file->data_fd < 0)
      return EIO;
  }
  // Durable bytes the live view no longer shows (truncated away) go first, then the pages.
  if (::ftruncate(file->data_fd, static_cast<off_t>(file->clean_limit)) != 0)
    return EIO;
  for (const auto& [number, page] : file->dirty) {
    uint64_t start = number * page_size;
    std::size_t length =
        static_cast<std::size_t>(std::min<uint64_t>(page_size, file->size - start));
    if (::pwrite(file->data_fd, page.get(), length, static_cast<off_t>(start)) !=
        static_cast<ssize_t>(length))
      return EIO;
  }
  if (::ftruncate(file->data_fd, static_cast<off_t>(file->size)) != 0)
    return EIO;
  dirty_pages_ -= file->dirty.size();
  file->dirty.clear();
  file->clean_limit = file->size;
  return 0;
}

int volume::fsyncdir(inode_id id) {
  inode* directory = find(id);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  auto before = directory->durable_entries;
  directory->durable_entries = directory->entries;
  try {
    write_tree();
  } catch (const std::exception& e) {
    directory->durable_entries.swap(before);
    std::fprintf(stderr, "lossy_fs: %s\n", e.what());
    return EIO;
  }
  return 0;
}

// ---- names ----

int volume::lookup(inode_id parent, const std::string& name, struct stat& out) const {
  inode* directory = find(parent);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  inode* child = find_entry(*directory, name);
  return child ? getattr(child->id, out) : ENOENT;
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
  out.st_size = node->is_dir() ? static_cast<off_t>(page_size) : static_cast<off_t>(node->size);
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

int volume::create(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
                   struct stat& out) {
  inode* directory = find(parent);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  if (int error = check_name(name))
    return error;
  if (find_entry(*directory, name))
    return EEXIST;
  inode& file = make_inode(S_IFREG | (mode & 07777), uid, gid);
  file.nlink = 1;
  directory->entries[name] = file.id;
  directory->mtime = directory->ctime = now();
  return getattr(file.id, out);
}

int volume::mkdir(inode_id parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid,
                  struct stat& out) {
  inode* directory = find(parent);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  if (int error = check_name(name))
    return error;
  if (find_entry(*directory, name))
    return EEXIST;
  inode& child = make_inode(S_IFDIR | (mode & 07777), uid, gid);
  child.nlink = 2;
  child.parent = directory->id;
  directory->entries[name] = child.id;
  ++directory->nlink;
  directory->mtime = directory->ctime = now();
  return getattr(child.id, out);
}

int volume::link(inode_id id, inode_id parent, const std::string& name, struct stat& out) {
  inode* file = find(id);
  inode* directory = find(parent);
  if (!file || !directory)
    return ENOENT;
  if (file->is_dir())
    return EPERM;
  if (!directory->is_dir())
    return ENOTDIR;
  if (int error = check_name(name))
    return error;
  if (find_entry(*directory, name))
    return EEXIST;
  directory->entries[name] = file->id;
  ++file->nlink;
  file->ctime = directory->mtime = directory->ctime = now();
  return getattr(id, out);
}

int volume::unlink(inode_id parent, const std::string& name) {
  inode* directory = find(parent);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  inode* file = find_entry(*directory, name);
  if (!file)
    return ENOENT;
  if (file->is_dir())
    return EISDIR;
  directory->entries.erase(name);
  --file->nlink;
  file->ctime = directory->mtime = directory->ctime = now();
  forget_unreachable_pages(*file);
  return 0;
}

int volume::rmdir(inode_id parent, const std::string& name) {
  inode* directory = find(parent);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
  inode* child = find_entry(*directory, name);
  if (!child)
    return ENOENT;
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
  inode* directory = find(id);
  if (!directory)
    return ENOENT;
  if (!directory->is_dir())
    return ENOTDIR;
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
