// A per-thread replacement for the wall clock behind messages::timestamp::now(), for the
// seeded simulation (tests/simulation), which runs every actor on one thread.
#pragma once

#include <cstdint>

namespace capstan::messages {

// While alive, timestamp::now() on the constructing thread answers `*seconds` (read at each
// call) instead of the wall clock; other threads keep the wall clock. Not nestable.
class simulated_time {
public:
  explicit simulated_time(const int64_t* seconds);
  ~simulated_time();
  simulated_time(const simulated_time&) = delete;
  simulated_time& operator=(const simulated_time&) = delete;
};

}  // namespace capstan::messages
