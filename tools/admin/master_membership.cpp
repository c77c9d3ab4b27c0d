#include "tools/admin/master_membership.hpp"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "common/join_proof.hpp"
#include "store/raft_tls_transport.hpp"
#include "tools/admin/master_join_client.hpp"

namespace capstan::admin {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// "1=10.0.0.1:6445,2=10.0.0.2:6445": the members of a new cluster. Empty when it does not parse.
std::vector<store::replicated_member> parse_initial_cluster(const std::string& text) {
  std::vector<store::replicated_member> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t comma = text.find(',', at);
    std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0)
      return {};
    uint64_t id = 0;
    for (char c : item.substr(0, equals)) {
      if (c < '0' || c > '9' || id > 1000000)
        return {};
      id = id * 10 + static_cast<uint64_t>(c - '0');
    }
    std::string address = item.substr(equals + 1);
    if (id == 0 || !store::is_raft_address(address))
      return {};
    for (const auto& m : out)
      if (m.id == id || m.address == address)
        return {};
    out.push_back({id, address, true});
    if (comma == std::string::npos)
      break;
    at = comma + 1;
  }
  return out;
}

// A member that DATA/member names: started again with what it says.
membership_plan restart(const membership_flags& f, const std::string& data_dir,
                        const member_record& record,
                        actors::master_config::membership_config& membership) {
  const std::string who = "DATA/member says this master is member " + std::to_string(record.id) +
                          " at " + record.peer_address;
  if (!f.initial_cluster.empty() || f.join_cluster || f.member_id != 0)
    fail(who + ": --initial-cluster, --join-cluster and --member-id do not apply");
  if (f.cluster_init && !record.server.empty())
    fail(who + ", which joined the cluster of " + record.server +
         ": --cluster-init does not apply");
  if (!f.server.empty() && record.server.empty())
    fail(who + ", which started a cluster of its own: it joins no other on this --data (join "
               "on an empty --data)");
  if (!f.peer_address.empty() && f.peer_address != record.peer_address)
    fail(who + ", not at --peer-address " + f.peer_address +
         " (a member keeps its address: remove it and join again to move it)");
  // Without its Raft log a member would start over: a voter that forgot what it promised, or
  // a cluster of its own. Only a joined member that never ran has none yet.
  const bool never_ran = !record.server.empty() && !record.admitted;
  if (!exists(data_dir + "/raft") && !never_ran)
    fail(who + ", but DATA/raft is gone: it cannot take part again without it; remove it "
               "(capstanctl members remove " + std::to_string(record.id) +
         ") and join again on an empty --data");
  membership.member_id = record.id;
  membership.peer_address = record.peer_address;
  membership.bootstrap = record.server.empty();
  if (membership.bootstrap)
    membership.initial_members = {{record.id, record.peer_address, true}};
  membership_plan plan;
  plan.several = true;
  if (!record.server.empty() && !record.admitted)
    plan.to_be_added = record;
  return plan;
}

std::string token_of(const membership_flags& f) {
  return f.token_file.empty() ? f.token : common::read_join_token(f.token_file);
}

}  // namespace

void add_membership_flags(CLI::App& cmd, membership_flags& f) {
  cmd.add_option("--peer-address", f.peer_address,
                 "Run as one of several masters: where the others reach this one (IP:PORT, "
                 "mutual TLS with certificates of DATA/tls/ca)");
  cmd.add_flag("--cluster-init", f.cluster_init,
               "Start a new cluster of masters with this one (member 1, at --peer-address); "
               "others join it with --server and the token in DATA/master-token");
  cmd.add_option("--server", f.server,
                 "Join the cluster of the master whose API is at https://HOST:PORT (on an "
                 "empty --data, with --token and --peer-address)");
  cmd.add_option("--token", f.token, "The cluster's master token (DATA/master-token on a master)");
  cmd.add_option("--token-file", f.token_file, "A file holding the master token");
  cmd.add_option("--member-id", f.member_id,
                 "The static form: this master's id among the masters (1 or more, unique)");
  cmd.add_option("--initial-cluster", f.initial_cluster,
                 "The static form: the masters of a new cluster, ID=IP:PORT,... (the same list "
                 "on each; they share DATA/tls/ca.*, secrets.key and service-account.key)");
  cmd.add_flag("--join-cluster", f.join_cluster,
               "The static form: a new master that waits to be added by the leader of a running "
               "cluster");
}

bool check_membership_flags(const membership_flags& f, std::ostream& err) {
  if (!f.peer_address.empty() && !store::is_raft_address(f.peer_address)) {
    err << "error: --peer-address needs IP:PORT, not \"" << f.peer_address << "\"\n";
    return false;
  }
  const bool static_form = !f.initial_cluster.empty() || f.join_cluster || f.member_id != 0;
  const int ways = (f.cluster_init ? 1 : 0) + (f.server.empty() ? 0 : 1) + (static_form ? 1 : 0);
  if (ways > 1) {
    err << "error: --cluster-init, --server and the static form (--member-id, "
           "--initial-cluster, --join-cluster) exclude one another\n";
    return false;
  }
  if (!f.token.empty() && !f.token_file.empty()) {
    err << "error: --token and --token-file exclude each other\n";
    return false;
  }
  if ((!f.token.empty() || !f.token_file.empty()) && f.server.empty()) {
    err << "error: --token is for --server\n";
    return false;
  }
  if (f.join_cluster && !f.initial_cluster.empty()) {
    err << "error: --join-cluster and --initial-cluster exclude each other\n";
    return false;
  }
  if (static_form && f.peer_address.empty()) {
    err << "error: --initial-cluster, --join-cluster and --member-id need --peer-address\n";
    return false;
  }
  if (!f.initial_cluster.empty()) {
    const uint64_t id = f.member_id ? f.member_id : 1;
    auto members = parse_initial_cluster(f.initial_cluster);
    bool listed = false;
    for (const auto& m : members)
      listed = listed || (m.id == id && m.address == f.peer_address);
    if (members.empty() || !listed) {
      err << "error: --initial-cluster \"" << f.initial_cluster
          << "\" is no list of ID=IP:PORT naming this member (--member-id " << id
          << ", --peer-address " << f.peer_address << ")\n";
      return false;
    }
  }
  return true;
}

membership_plan plan_membership(const membership_flags& f, const std::string& data_dir,
                                actors::master_config::membership_config& membership) {
  if (auto record = read_member_file(data_dir))
    return restart(f, data_dir, *record, membership);
  membership_plan plan;
  if (f.cluster_init) {
    if (f.peer_address.empty())
      fail("--cluster-init needs --peer-address (where the other masters reach this one)");
    if (holds_master_data(data_dir))
      fail(data_dir + " holds a master's journal already: --cluster-init starts a new cluster on "
                      "an empty --data");
    plan.to_record = member_record{1, f.peer_address, ""};
    membership.member_id = 1;
    membership.peer_address = f.peer_address;
    membership.bootstrap = true;
    membership.initial_members = {{1, f.peer_address, true}};
    plan.several = true;
    return plan;
  }
  if (!f.server.empty()) {
    if (f.peer_address.empty())
      fail("--server needs --peer-address (where the other masters reach this one)");
    std::string token = token_of(f);
    if (token.empty())
      fail("--server needs --token or --token-file (DATA/master-token on a master)");
    auto record = join_cluster(data_dir, f.server, token, f.peer_address);
    membership.member_id = record.id;
    membership.peer_address = record.peer_address;
    membership.bootstrap = false;
    plan.several = true;
    plan.to_be_added = record;
    return plan;
  }
  if (f.peer_address.empty())
    return plan;  // a master alone
  membership.member_id = f.member_id ? f.member_id : 1;
  membership.peer_address = f.peer_address;
  membership.bootstrap = !f.join_cluster;
  if (!f.initial_cluster.empty())
    membership.initial_members = parse_initial_cluster(f.initial_cluster);
  plan.several = true;
  return plan;
}

admission_requester::admission_requester(std::string data_dir, member_record record,
                                         std::function<bool()> voting)
    : data_dir_(std::move(data_dir)), record_(std::move(record)), voting_(std::move(voting)) {
  thread_ = std::thread([this] { run(); });
}

admission_requester::~admission_requester() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void admission_requester::admitted() {
  std::printf("capstan master: member %llu votes in the cluster\n",
              static_cast<unsigned long long>(record_.id));
  std::fflush(stdout);
  member_record admitted = record_;
  admitted.admitted = true;
  try {
    write_member_file(data_dir_, admitted);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "capstan master: %s\n", e.what());
  }
}

void admission_requester::run() {
  std::string last_problem;
  for (;;) {
    if (voting_()) {
      admitted();
      return;
    }
    bool retry = false;
    std::string problem = ask_to_be_added(data_dir_, record_, retry, &stopping_);
    if (stopping_)
      return;
    if (problem.empty()) {
      // The leader committed this member as a voter: recorded at once, so that a removal
      // later is never undone by asking again.
      admitted();
      return;
    }
    if (!retry) {
      std::fprintf(stderr,
                   "capstan master: %s refuses to add member %llu: %s (it stays out of the "
                   "cluster: remove DATA and join again)\n",
                   record_.server.c_str(), static_cast<unsigned long long>(record_.id),
                   problem.c_str());
      return;
    }
    if (problem != last_problem)
      std::fprintf(stderr, "capstan master: asking %s to add member %llu: %s; asking again\n",
                   record_.server.c_str(), static_cast<unsigned long long>(record_.id),
                   problem.c_str());
    last_problem = problem;
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, std::chrono::seconds(3), [this] { return stopping_.load(); });
    if (stopping_)
      return;
  }
}

}  // namespace capstan::admin
