#include "tools/admin/member_file.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "common/pki.hpp"
#include "store/raft_tls_transport.hpp"

namespace capstan::admin {

namespace {

constexpr const char* header = "capstan-member v1";

std::string path_of(const std::string& data_dir) {
  return data_dir + "/member";
}

}  // namespace

std::optional<member_record> read_member_file(const std::string& data_dir) {
  const std::string path = path_of(data_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::nullopt;
  std::string text;
  try {
    text = common::read_small_file(path, 4096);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read " + path + ": " + e.what());
  }
  std::istringstream lines(text);
  std::string line;
  member_record record;
  bool has_header = false;
  while (std::getline(lines, line)) {
    if (line.empty())
      continue;
    if (!has_header) {
      if (line != header)
        break;
      has_header = true;
      continue;
    }
    auto space = line.find(' ');
    std::string key = line.substr(0, space);
    std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "id") {
      try {
        std::size_t used = 0;
        record.id = std::stoull(value, &used);
        if (used != value.size())
          record.id = 0;
      } catch (const std::exception&) {
        record.id = 0;
      }
    } else if (key == "peer") {
      record.peer_address = value;
    } else if (key == "server") {
      record.server = value;
    } else if (key == "admitted") {
      record.admitted = true;
    }
  }
  if (!has_header || record.id == 0 || !store::is_raft_address(record.peer_address))
    throw std::runtime_error(path + " is not a member file (\"" + header +
                             "\", then id N and peer IP:PORT): restore it, or start on an "
                             "empty DATA to join the cluster again");
  return record;
}

void write_member_file(const std::string& data_dir, const member_record& record) {
  std::string text = std::string(header) + "\nid " + std::to_string(record.id) + "\npeer " +
                     record.peer_address + "\n";
  if (!record.server.empty())
    text += "server " + record.server + "\n";
  if (record.admitted)
    text += "admitted\n";
  try {
    common::write_file_atomically(path_of(data_dir), text, 0600);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot write " + path_of(data_dir) + ": " + e.what());
  }
}

}  // namespace capstan::admin
