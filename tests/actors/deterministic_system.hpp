// Test fixture: an actor system on CAF's test coordinator. Messages run only when the test
// runs them, delayed messages only when the test moves the clock: a retry after a back-off is
// observed at the exact time it is due, with no sleep and no wall clock.
#pragma once

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace capstan::test {

struct deterministic_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::vector<caf::actor_addr> spawned;  // stopped by the destructor

  deterministic_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
  }
  ~deterministic_system() {
    for (const auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
    system->await_actors_before_shutdown(false);
  }

  // Remembers `a` to be stopped at the end of the test.
  template <class Handle>
  Handle keep(Handle a) {
    spawned.push_back(caf::actor_cast<caf::actor_addr>(a));
    return a;
  }
  // Runs every message that is ready, and those they send, until none is left.
  void run() {
    while (sched->has_job())
      sched->run();
  }
  // Moves the clock by `by`, delivers the delayed messages that came due, and runs.
  void advance(std::chrono::steady_clock::duration by) {
    sched->advance_time(std::chrono::duration_cast<caf::timespan>(by));
    run();
  }
};

}  // namespace capstan::test
