// Tests the master as a whole under seeded faults (tests/simulation/simulation.cpp): 1,000
// seeds, each a workload with journal errors and stalls, silent nodes, restarts, duplicated
// and delayed node messages, checked after every step and once settled. A seed that once
// failed stays in `regressions`, with what it found.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "tests/simulation/simulation.hpp"

using namespace capstan::simulation;

namespace {

struct regression {
  uint64_t seed;
  const char* found;  // the bug this seed caught, fixed since
};

const regression regressions[] = {
    {0, "placeholder: the first seed, always run"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_regression_seed_holds_its_invariants) {
  for (const auto& r : regressions) {
    auto result = run_seed({r.seed});
    BOOST_TEST(result.ok(), result.failure << " (regression: " << r.found << ")");
  }
}

BOOST_AUTO_TEST_CASE(a_thousand_seeds_hold_their_invariants) {
  auto start = std::chrono::steady_clock::now();
  uint64_t checks = 0, messages = 0, faults = 0;
  int failed = 0;
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    auto result = run_seed({seed});
    checks += result.checks;
    messages += result.messages;
    for (const auto& [kind, n] : result.faults)
      faults += n;
    if (!result.ok() && ++failed <= 10)
      BOOST_ERROR(result.failure);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("1000 seeds in " << seconds << " s: " << messages << " messages, " << faults
                                      << " faults, " << checks << " invariant checks");
  BOOST_TEST(failed == 0);
  // Work done: the checks ran, and the seeds injected faults.
  BOOST_TEST(checks > 10000u);
  BOOST_TEST(faults > 1000u);
}
