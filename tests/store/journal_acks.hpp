// What the journal's crash and power-loss tests share: journal_crash_child appending to a
// journal, the reader of the acknowledgements it reports, and the check of the reopened journal.
#pragma once

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <sstream>
#include <string>

#include "common/process.hpp"
#include "store/event_log.hpp"
#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"

namespace capstan::test {

// Sequence number -> record name, as the child acknowledged them.
using acknowledged = std::map<uint64_t, std::string>;

// A running journal_crash_child (`program`) appending to the journal in `directory`, and the
// read end of the pipe where it reports each acknowledged record as a "SEQ NAME" line. Killed
// and collected at destruction if the test has not done so.
class crash_child {
public:
  // `replicated`: through a Raft log, as the master writes (journal_crash_child's `raft`).
  crash_child(const std::string& program, const std::string& directory, int round,
              bool replicated = false) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    std::vector<std::string> args{program, directory, std::to_string(round)};
    if (replicated)
      args.push_back("raft");
    pid_ = common::start_process(args, fds[1]);
    close(fds[1]);
    out_ = fds[0];
    BOOST_REQUIRE_MESSAGE(pid_ > 0, "cannot start " << program);
    round_ = round;
  }
  ~crash_child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      common::wait_for_exit(pid_);
    }
    close(out_);
  }
  crash_child(const crash_child&) = delete;
  crash_child& operator=(const crash_child&) = delete;

  // Reads acknowledgements until `acked` holds `target` records; fails if the child ends first.
  void read_until(std::size_t target, acknowledged& acked) {
    while (acked.size() < target)
      BOOST_REQUIRE_MESSAGE(read_some(acked),
                            "the child exited before it was killed (round " << round_ << ")");
  }

  // SIGKILL, and once the child is gone the acknowledgements it wrote before: they count.
  void kill_and_drain(acknowledged& acked) {
    kill(pid_, SIGKILL);
    BOOST_REQUIRE(common::wait_for_exit(pid_).signal == SIGKILL);
    pid_ = -1;
    while (read_some(acked)) {
    }
  }

private:
  // Reads complete lines into `acked`; false at end of stream.
  bool read_some(acknowledged& acked) {
    char buf[4096];
    ssize_t n = read(out_, buf, sizeof buf);
    if (n <= 0)
      return false;
    pending_.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, end;
    while ((end = pending_.find('\n', start)) != std::string::npos) {
      std::istringstream line(pending_.substr(start, end - start));
      uint64_t seq;
      std::string name;
      line >> seq >> name;
      BOOST_REQUIRE(!name.empty());
      BOOST_REQUIRE(acked.emplace(seq, name).second);  // no number acknowledged twice
      start = end + 1;
    }
    pending_.erase(0, start);
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int round_ = 0;
  std::string pending_;  // a line not yet complete
};

// Opens the journal in `directory` with the store's own code and checks that every acknowledged
// record is there with its content and that the log is a gap-free prefix 1..last_seq. Returns
// last_seq (records past the newest acknowledged one were written but not yet acknowledged).
inline uint64_t check_acknowledged_prefix(const std::string& directory, const acknowledged& acked,
                                          bool replicated = false) {
  if (replicated) {
    // As the master starts: the Raft log applies what it committed and the journal lacks.
    store::event_log_options unsynced;
    unsynced.sync = false;
    auto journal = store::event_log::open(directory + "/journal", unsynced);
    store::raft_log_config config;
    config.directory = directory + "/raft";
    store::journal_writer writer(*journal, std::make_unique<store::raft_log>(config));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(30)));
  }
  auto log = store::event_log::open(replicated ? directory + "/journal" : directory);
  uint64_t last = log->last_seq();
  uint64_t newest_acknowledged = acked.empty() ? 0 : acked.rbegin()->first;
  BOOST_REQUIRE_MESSAGE(newest_acknowledged <= last, "the journal ends at " << last << ", record "
                                                                            << newest_acknowledged
                                                                            << " was acknowledged");
  // read() throws on a gap or a corrupt record, so this checks the gap-free prefix.
  uint64_t seen = 0;
  log->read(1, last, [&](messages::journal_record&& r) {
    ++seen;
    auto it = acked.find(r.seq);
    if (it != acked.end())
      BOOST_REQUIRE_MESSAGE(it->second == r.name, "record " << r.seq << " holds " << r.name
                                                            << ", acknowledged as " << it->second);
    return true;
  });
  BOOST_REQUIRE(seen == last);
  return last;
}

}  // namespace capstan::test
