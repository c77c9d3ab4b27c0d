// How `capstan master` takes its place among several masters (issue #20), one of three ways:
// - --cluster-init --peer-address IP:PORT: the first member of a new cluster (id 1);
// - --server https://HOST:PORT --token K10... --peer-address IP:PORT: a new member joining a
//   running cluster on an empty --data (tools/admin/master_join_client.hpp);
// - the static form, as etcd's: --member-id, --peer-address and --initial-cluster (the same
//   list on every member, which share DATA/tls/ca.*, secrets.key, service-account.key), or
//   --join-cluster (waits to be added by the leader).
// The first two write DATA/member (tools/admin/member_file.hpp): later starts need only --data.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "actors/master/master.hpp"
#include "tools/admin/member_file.hpp"
#include "tools/cli/cli.hpp"

namespace capstan::admin {

struct membership_flags {
  std::string peer_address;
  std::string initial_cluster;  // ID=IP:PORT,...
  bool join_cluster = false;
  uint64_t member_id = 0;  // 0: not given (the static form then takes 1)
  bool cluster_init = false;
  std::string server, token, token_file;
};

void add_membership_flags(CLI::App& command, membership_flags& flags);

// Checks the flags alone (nothing read or written yet); false after saying why on `err`.
bool check_membership_flags(const membership_flags& flags, std::ostream& err);

// What start-up does about the membership once the master runs.
struct membership_plan {
  bool several = false;                      // a member of several: its certificate is needed
  std::optional<member_record> to_be_added;  // a joined member: asks until it votes
  // DATA/member of the cluster's first member, written once the master runs (its Raft log
  // exists then: a record always means a log).
  std::optional<member_record> to_record;
  std::string announcement;                   // said once the master runs (how others join)
};

// At start, before the credentials are made: reads DATA/member, joins when asked (DATA then
// receives the cluster's shared files and DATA/member), and fills `membership` (all but tls).
// Throws std::runtime_error saying why this master cannot start as asked; nothing is then
// written into DATA.
membership_plan plan_membership(const membership_flags& flags, const std::string& data_dir,
                                actors::master_config::membership_config& membership);

// A joined member's second step, in the background: asks the server to add this member until
// `voting` says it votes (every 3 s after an answer that may change: no leader, not caught up
// yet, a network fault, another change under way), and never again after a refusal for good
// (said on stderr). Once the leader committed it a voter, DATA/member records it admitted: it
// never asks again (a member removed later stays out).
class admission_requester {
public:
  admission_requester(std::string data_dir, member_record record, std::function<bool()> voting);
  // Abandons a request in flight (within ~100 ms) and joins the thread.
  ~admission_requester();
  admission_requester(const admission_requester&) = delete;
  admission_requester& operator=(const admission_requester&) = delete;

private:
  void run();
  void admitted();  // says so and records it in DATA/member

  const std::string data_dir_;
  const member_record record_;
  const std::function<bool()> voting_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace capstan::admin
