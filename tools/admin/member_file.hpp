// DATA/member: which member of a cluster of masters this master is (issue #20), written once it
// first ran as one (--cluster-init, or after joining with --server), read at every later start
// so that a restart needs only --data:
//   capstan-member v1
//   id N
//   peer IP:PORT
//   server https://HOST:PORT     (a joined member: where it asks to be added until it votes)
//   admitted                     (a joined member that has voted: never asks again, so that
//                                 one removed stays out when it starts again)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace capstan::admin {

struct member_record {
  uint64_t id = 0;
  std::string peer_address;
  std::string server;     // empty for the member that started the cluster
  bool admitted = false;  // a joined member that has voted once
};

// nullopt when DATA/member does not exist. Throws std::runtime_error naming the file when it
// cannot be read or is not the form above.
std::optional<member_record> read_member_file(const std::string& data_dir);
// Atomically, mode 0600. Throws std::runtime_error.
void write_member_file(const std::string& data_dir, const member_record& record);

}  // namespace capstan::admin
