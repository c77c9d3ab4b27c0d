#include "tests/lossy_fs/durable_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace capstan::lossy_fs {

namespace {

constexpr const char* tree_header = "lossy_fs-tree 1";

}  // namespace

int check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find_first_of("/\n") != std::string::npos)
    return EINVAL;
  return name.size() > 255 ? ENAMETOOLONG : 0;
}

std::optional<durable_tree> read_tree(const std::string& backing) {
  ::unlink((backing + "/tree.tmp").c_str());
  std::ifstream in(backing + "/tree");
  if (!in)
    return std::nullopt;
  auto corrupt = [&](const std::string& line) {
    return std::runtime_error(backing + "/tree: cannot read line \"" + line + "\"");
  };
  std::string line;
  if (!std::getline(in, line) || line != tree_header)
    throw corrupt(line);
  durable_tree tree;
  std::map<inode_id, mode_t> modes;  // of the inodes read so far
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    char kind = 0;
    fields >> kind;
    if (kind == 'I') {
      unsigned long long id;
      unsigned mode, uid, gid;
      if (!(fields >> id >> std::oct >> mode >> std::dec >> uid >> gid) || modes.count(id))
        throw corrupt(line);
      modes[id] = mode;
      tree.inodes.push_back({id, mode, uid, gid});
    } else if (kind == 'E') {
      unsigned long long parent, child;
      if (!(fields >> parent >> child) || fields.get() != ' ')
        throw corrupt(line);
      std::string name;
      std::getline(fields, name);
      auto parent_mode = modes.find(parent);
      if (parent_mode == modes.end() || !S_ISDIR(parent_mode->second) || !modes.count(child) ||
          check_name(name) != 0)
        throw corrupt(line);
      tree.entries.push_back({parent, child, name});
    } else {
      throw corrupt(line);
    }
  }
  auto root = modes.find(root_inode);
  if (root == modes.end() || !S_ISDIR(root->second))
    throw std::runtime_error(backing + "/tree has no root directory");
  return tree;
}

void write_tree(const std::string& backing, const durable_tree& tree) {
  std::ostringstream text;
  text << tree_header << '\n';
  for (const auto& node : tree.inodes)
    text << "I " << node.id << ' ' << std::oct << node.mode << std::dec << ' ' << node.uid << ' '
         << node.gid << '\n';
  for (const auto& entry : tree.entries)
    text << "E " << entry.parent << ' ' << entry.child << ' ' << entry.name << '\n';
  std::string bytes = text.str();
  std::string temporary = backing + "/tree.tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  ssize_t written = ::write(fd, bytes.data(), bytes.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(bytes.size()) ||
      ::rename(temporary.c_str(), (backing + "/tree").c_str()) != 0)
    throw std::runtime_error("cannot write " + backing + "/tree: " + std::strerror(errno));
}

void collect_garbage(const std::string& backing, const durable_tree& tree) {
  std::set<inode_id> files;
  for (const auto& node : tree.inodes)
    if (!S_ISDIR(node.mode))
      files.insert(node.id);
  DIR* dir = opendir((backing + "/data").c_str());
  if (!dir)
    throw std::runtime_error("cannot list " + backing + "/data: " + std::strerror(errno));
  std::vector<std::string> orphans;
  while (auto* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..")
      continue;
    char* end = nullptr;
    unsigned long long id = std::strtoull(name.c_str(), &end, 10);
    if (*end != '\0' || !files.count(id))
      orphans.push_back(name);
  }
  closedir(dir);
  for (const auto& name : orphans)
    ::unlink((backing + "/data/" + name).c_str());
}

}  // namespace capstan::lossy_fs
