// Tests that nothing acknowledged is ever lost: a child process appends and reports each
// acknowledged record on a pipe; it is killed with SIGKILL at random points; after reopening,
// every acknowledged record is present with its content and the log is a gap-free prefix.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <map>
#include <random>
#include <sstream>

#include "common/process.hpp"
#include "store/event_log.hpp"
#include "tests/store/records.hpp"

using namespace capstan;

namespace {

struct child_process {
  pid_t pid = -1;
  int out = -1;
};

child_process spawn(const std::string& dir, int round) {
  int fds[2];
  BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = common::start_process({CRASH_CHILD, dir, std::to_string(round)}, fds[1]);
  close(fds[1]);
  BOOST_REQUIRE(pid > 0);
  return {pid, fds[0]};
}

// Reads complete "SEQ NAME" lines into `acked`; returns false at end of stream.
bool read_acks(int fd, std::string& pending, std::map<uint64_t, std::string>& acked) {
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n <= 0)
    return false;
  pending.append(buf, static_cast<std::size_t>(n));
  std::size_t start = 0, end;
  while ((end = pending.find('\n', start)) != std::string::npos) {
    std::istringstream line(pending.substr(start, end - start));
    uint64_t seq;
    std::string name;
    line >> seq >> name;
    BOOST_REQUIRE(!name.empty());
    BOOST_REQUIRE(acked.emplace(seq, name).second);  // no number acknowledged twice
    start = end + 1;
  }
  pending.erase(0, start);
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(acknowledged_appends_survive_sigkill_at_random_moments) {
  test::temp_dir dir;
  std::random_device seed_source;
  const unsigned seed = seed_source();
  BOOST_TEST_MESSAGE("crash test seed " << seed);
  std::mt19937 rng(seed);
  std::map<uint64_t, std::string> acked;
  constexpr int rounds = 24;
  for (int round = 0; round < rounds; ++round) {
    // Kill after a random number of acknowledgements: sometimes at once, sometimes later.
    std::size_t target = acked.size() + (round % 4 == 0 ? 0 : 1 + rng() % 600);
    auto child = spawn(dir.str(), round);
    std::string pending;
    while (acked.size() < target)
      BOOST_REQUIRE_MESSAGE(read_acks(child.out, pending, acked),
                            "child exited before it was killed (round " << round << ")");
    kill(child.pid, SIGKILL);
    BOOST_REQUIRE(common::wait_for_exit(child.pid).signal == SIGKILL);
    // Acknowledgements written before the kill are still in the pipe; they count.
    while (read_acks(child.out, pending, acked)) {
    }
    close(child.out);

    auto log = store::event_log::open(dir.str());
    uint64_t last = log->last_seq();
    BOOST_REQUIRE(acked.empty() || acked.rbegin()->first <= last);
    // read() throws on a gap or a corrupt record, so this checks the gap-free prefix.
    std::size_t seen = 0;
    log->read(1, last, [&](messages::journal_record&& r) {
      ++seen;
      auto it = acked.find(r.seq);
      if (it != acked.end())
        BOOST_REQUIRE_MESSAGE(it->second == r.name, "record " << r.seq << " holds " << r.name
                                                              << ", acknowledged as "
                                                              << it->second);
      return true;
    });
    BOOST_REQUIRE(seen == last);
  }
  BOOST_TEST_MESSAGE(rounds << " kills, " << acked.size() << " acknowledged records verified");
  BOOST_TEST(acked.size() > 1000u);
}
