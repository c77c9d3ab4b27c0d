#include "store/raft_members_file.hpp"

#include <filesystem>
#include <fstream>

namespace capstan::store {

bool same_members(const std::vector<replicated_member>& a, const std::vector<replicated_member>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].id != b[i].id || a[i].address != b[i].address || a[i].voter != b[i].voter)
      return false;
  return true;
}

void write_members_file(const std::string& path, const std::vector<replicated_member>& members) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& m : members)
      out << m.id << ' ' << m.address << '\n';
    if (!out)
      return;
  }
  std::error_code ignored;
  std::filesystem::rename(temporary, path, ignored);
}

std::vector<replicated_member> read_members_file(const std::string& path) {
  std::vector<replicated_member> out;
  std::ifstream in(path);
  replicated_member m;
  while (out.size() < 64 && in >> m.id >> m.address)
    if (m.id != 0 && m.address.size() <= 255)
      out.push_back(m);
  return out;
}

}  // namespace capstan::store
