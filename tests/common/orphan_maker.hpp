// For tests of child processes: a thread that keeps leaving orphans behind, the way runc leaves
// its containers' init processes to the node agent, while a test runs other children.
#pragma once

#include <sys/prctl.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <thread>

#include "common/process.hpp"

namespace capstan::test {

// Makes this process a child subreaper, then runs `setsid -f sh -c 'echo $$; exec sleep 0.01'`
// in a loop: setsid forks the sleep and exits without waiting for it, so the sleep is
// re-parented here (a zombie too, should it end first) and the reaper collects its exit. (Not
// `sh -c 'sleep 0.01 & echo $!'`: a shell that outlives its background child reaps it itself.)
// Each orphan is claimed a few rounds later, so several are alive at any time. Not copyable;
// stop() (or the destructor) ends the thread.
class orphan_maker {
public:
  orphan_maker() : subreaper_(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) {
    thread_ = std::thread([this] { loop(); });
  }
  orphan_maker(const orphan_maker&) = delete;
  orphan_maker& operator=(const orphan_maker&) = delete;
  ~orphan_maker() { stop(); }

  void stop() {
    stopping_ = true;
    if (thread_.joinable())
      thread_.join();
  }

  bool subreaper() const { return subreaper_; }
  // After stop(): orphans made and claimed, and how many of them did not read as exit 0.
  int made() const { return made_; }
  int failures() const { return failures_; }

private:
  void loop() {
    std::deque<pid_t> alive;
    auto claim = [&] {
      if (common::wait_for_exit(alive.front()).exit_code != 0)
        ++failures_;
      ++made_;
      alive.pop_front();
    };
    while (!stopping_) {
      auto r = common::run_process(
          {"setsid", "-f", "sh", "-c", "echo $$; exec sleep 0.01 >/dev/null 2>&1"});
      pid_t pid = std::atoi(r.output.c_str());
      if (!r.ok() || pid <= 0) {
        ++failures_;
        continue;
      }
      alive.push_back(pid);
      if (alive.size() > 4)
        claim();
    }
    while (!alive.empty())
      claim();
  }

  bool subreaper_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> made_{0}, failures_{0};
  std::thread thread_;
};

}  // namespace capstan::test
