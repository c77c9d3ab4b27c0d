// Failover of the replicated journal, in processes: three members (raft_member_child, each its
// own journal and Raft log, talking over mutual TLS on loopback) while the leader appends
// continuously and reports every acknowledged record. Round after round the leader is killed
// with SIGKILL, a new one takes over, and the killed member starts again on its data. At the
// end, writes stop, every member applies everything, and every journal must hold every
// acknowledged record under the number it was acknowledged with, gap-free, identical on the
// three members; no number may have been acknowledged twice (two leaders at once). Prints the
// time from each kill to the first write acknowledged by the next leader.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "common/pki.hpp"
#include "common/process.hpp"
#include "store/event_log.hpp"
#include "store/raft_tls_transport.hpp"
#include "tests/store/loopback_ports.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Sequence number -> record name, as the members acknowledged them.
using acknowledged = std::map<uint64_t, std::string>;


void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  BOOST_REQUIRE(out.good());
}

// One running raft_member_child and the read end of its stdout.
class member_process {
public:
  member_process(uint64_t id, const std::string& dir, int round, const std::string& certificates,
                 const std::string& members)
      : id_(id) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    pid_ = common::start_process({MEMBER_CHILD, dir, std::to_string(id), std::to_string(round),
                                  certificates, members},
                                 fds[1]);
    ::close(fds[1]);
    out_ = fds[0];
    BOOST_REQUIRE_MESSAGE(pid_ > 0, "cannot start " << MEMBER_CHILD);
  }
  ~member_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      common::wait_for_exit(pid_);
    }
    ::close(out_);
  }
  member_process(const member_process&) = delete;
  member_process& operator=(const member_process&) = delete;

  uint64_t id() const { return id_; }
  int fd() const { return out_; }
  uint64_t last_reported() const { return last_; }

  // Reads what is there: acknowledgements into `acked` (the count of new ones returned), "last"
  // reports. Fails the test when the child ended before it was killed.
  std::size_t read_available(acknowledged& acked) {
    char buf[8192];
    ssize_t n = ::read(out_, buf, sizeof buf);
    BOOST_REQUIRE_MESSAGE(n > 0, "member " << id_ << " exited before it was killed");
    return parse(std::string_view(buf, static_cast<std::size_t>(n)), acked);
  }

  // SIGKILL; the acknowledgements it wrote before dying count.
  void kill_and_drain(acknowledged& acked) {
    ::kill(pid_, SIGKILL);
    BOOST_REQUIRE(common::wait_for_exit(pid_).signal == SIGKILL);
    pid_ = -1;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(out_, buf, sizeof buf)) > 0)
      parse(std::string_view(buf, static_cast<std::size_t>(n)), acked);
  }

private:
  std::size_t parse(std::string_view data, acknowledged& acked) {
    pending_.append(data);
    std::size_t start = 0, end, fresh = 0;
    while ((end = pending_.find('\n', start)) != std::string::npos) {
      std::istringstream line(pending_.substr(start, end - start));
      start = end + 1;
      std::string first, second;
      line >> first >> second;
      if (first == "last") {
        last_ = std::stoull(second);
        continue;
      }
      uint64_t seq = std::stoull(first);
      BOOST_REQUIRE(!second.empty());
      auto [it, inserted] = acked.emplace(seq, second);
      BOOST_REQUIRE_MESSAGE(inserted, "seq " << seq << " acknowledged twice: " << it->second
                                             << " and " << second);
      ++fresh;
    }
    pending_.erase(0, start);
    return fresh;
  }

  uint64_t id_;
  pid_t pid_ = -1;
  int out_ = -1;
  uint64_t last_ = 0;
  std::string pending_;
};

// Three members on loopback and what they acknowledged.
class cluster {
public:
  cluster() {
    auto ca = common::certificate_authority::create("capstan-failover-test", 1);
    certificates_ = root_.str() + "/certificates";
    std::filesystem::create_directories(certificates_);
    write_file(certificates_ + "/ca.crt", ca.certificate_pem());
    for (uint64_t id = 1; id <= 3; ++id) {
      auto [certificate, key] = ca.issue_peer_certificate(
          store::raft_member_common_name(id), store::raft_member_organization, {"127.0.0.1"}, 1);
      write_file(certificates_ + "/member-" + std::to_string(id) + ".crt", certificate);
      write_file(certificates_ + "/member-" + std::to_string(id) + ".key", key);
      members_ += (id > 1 ? "," : "") + std::to_string(id) +
                  "=127.0.0.1:" + std::to_string(capstan::test::unused_loopback_port());
      std::filesystem::create_directories(dir(id));
    }
    for (uint64_t id = 1; id <= 3; ++id)
      start(id, 0);
  }

  std::string dir(uint64_t id) const { return root_.str() + "/member-" + std::to_string(id); }
  void start(uint64_t id, int round) {
    processes_[id] = std::make_unique<member_process>(id, dir(id), round, certificates_, members_);
  }
  void kill(uint64_t id) {
    processes_[id]->kill_and_drain(acked);
    processes_.erase(id);
  }

  // Reads until `count` more acknowledgements arrived (failing after `timeout`); returns the
  // member that sent the last of them (the one leading then).
  uint64_t read_acknowledgements(std::size_t count, std::chrono::milliseconds timeout) {
    std::size_t received = 0;
    uint64_t from = 0;
    auto until = clock_type::now() + timeout;
    while (received < count) {
      BOOST_REQUIRE_MESSAGE(clock_type::now() < until,
                            "only " << received << " of " << count << " acknowledgements within "
                                    << timeout.count() << " ms");
      for (member_process* p : ready(until)) {
        std::size_t fresh = p->read_available(acked);
        received += fresh;
        if (fresh > 0)
          from = p->id();
      }
    }
    return from;
  }

  // Stops the writes and waits until every member reported the same last sequence number, at
  // least the newest acknowledged one. Returns it.
  uint64_t quiesce(std::chrono::milliseconds timeout) {
    for (uint64_t id = 1; id <= 3; ++id)
      write_file(dir(id) + "/quiet", "");
    auto until = clock_type::now() + timeout;
    for (;;) {
      uint64_t newest = acked.empty() ? 0 : acked.rbegin()->first;
      std::set<uint64_t> lasts;
      for (auto& [id, p] : processes_)
        lasts.insert(p->last_reported());
      if (lasts.size() == 1 && *lasts.begin() >= newest && newest > 0)
        return *lasts.begin();
      BOOST_REQUIRE_MESSAGE(clock_type::now() < until, "the members did not converge");
      for (member_process* p : ready(until))
        p->read_available(acked);
    }
  }

  acknowledged acked;

private:
  // The members with output to read (waits up to 100 ms, never past `until`).
  std::vector<member_process*> ready(clock_type::time_point until) {
    std::vector<pollfd> fds;
    std::vector<member_process*> who;
    for (auto& [id, p] : processes_) {
      fds.push_back({p->fd(), POLLIN, 0});
      who.push_back(p.get());
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now());
    int wait = static_cast<int>(std::clamp<long>(left.count(), 0, 100));
    std::vector<member_process*> out;
    if (::poll(fds.data(), fds.size(), wait) > 0)
      for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].revents != 0)
          out.push_back(who[i]);
    return out;
  }

  test::temp_dir root_;
  std::string certificates_;
  std::string members_;
  std::map<uint64_t, std::unique_ptr<member_process>> processes_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_killing_the_leader_round_after_round) {
  constexpr int rounds = 20;
  cluster members;
  std::vector<double> failover_ms;
  uint64_t leader = members.read_acknowledgements(100, 30s);
  for (int round = 1; round <= rounds; ++round) {
    members.kill(leader);
    auto killed = clock_type::now();
    uint64_t next = members.read_acknowledgements(1, 30s);
    failover_ms.push_back(
        std::chrono::duration<double, std::milli>(clock_type::now() - killed).count());
    BOOST_TEST(next != leader);
    members.start(leader, round);
    leader = members.read_acknowledgements(150, 30s);
  }
  uint64_t last = members.quiesce(30s);
  std::sort(failover_ms.begin(), failover_ms.end());
  BOOST_TEST_MESSAGE(rounds << " leaders killed, " << members.acked.size()
                            << " acknowledged records, " << last
                            << " in every journal; kill to next acknowledged write: "
                            << failover_ms.front() << " / " << failover_ms[failover_ms.size() / 2]
                            << " / " << failover_ms.back() << " ms (min / median / max)");
  for (uint64_t id = 1; id <= 3; ++id)
    members.kill(id);

  std::map<uint64_t, std::string> first_journal;
  for (uint64_t id = 1; id <= 3; ++id) {
    auto log = store::event_log::open(members.dir(id) + "/journal");
    BOOST_REQUIRE_EQUAL(log->last_seq(), last);
    std::map<uint64_t, std::string> journal;
    // read() throws on a gap or a corrupt record.
    for (const auto& r : log->read(1, last))
      journal[r.seq] = r.name + "@" + std::to_string(r.time_nanos);
    BOOST_REQUIRE_EQUAL(journal.size(), last);
    for (const auto& [seq, name] : members.acked) {
      const std::string& held = journal[seq];
      BOOST_REQUIRE_MESSAGE(held.rfind(name + "@", 0) == 0, "member " << id << " holds \"" << held
                                                                      << "\" at " << seq
                                                                      << ", acknowledged as "
                                                                      << name);
    }
    if (id == 1)
      first_journal = journal;
    else
      BOOST_TEST((journal == first_journal), "member " << id << "'s journal differs from 1's");
  }
}
