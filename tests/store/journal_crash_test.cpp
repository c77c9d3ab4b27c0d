// Tests that nothing acknowledged is ever lost: a child process appends and reports each
// acknowledged record on a pipe; it is killed with SIGKILL at random points; after reopening,
// every acknowledged record is present with its content and the log is a gap-free prefix.
// A killed process never loses the page cache: journal_power_loss_test covers that.
#include <boost/test/unit_test.hpp>

#include <random>

#include "tests/store/journal_acks.hpp"
#include "tests/store/records.hpp"

using namespace capstan;

namespace {

// `rounds` kills at random moments; returns how many acknowledged records were verified.
std::size_t kill_at_random_moments(int rounds, bool replicated) {
  test::temp_dir dir;
  std::random_device seed_source;
  const unsigned seed = seed_source();
  BOOST_TEST_MESSAGE("crash test seed " << seed);
  std::mt19937 rng(seed);
  test::acknowledged acked;
  for (int round = 0; round < rounds; ++round) {
    // Kill after a random number of acknowledgements: sometimes at once, sometimes later.
    std::size_t target = acked.size() + (round % 4 == 0 ? 0 : 1 + rng() % 600);
    test::crash_child child(CRASH_CHILD, dir.str(), round, replicated);
    child.read_until(target, acked);
    child.kill_and_drain(acked);
    test::check_acknowledged_prefix(dir.str(), acked, replicated);
  }
  BOOST_TEST_MESSAGE(rounds << " kills, " << acked.size() << " acknowledged records verified");
  return acked.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(acknowledged_appends_survive_sigkill_at_random_moments) {
  BOOST_TEST(kill_at_random_moments(24, false) > 1000u);
}

// The master's way: acknowledged once in the Raft log; the journal behind it is unsynced and
// catches up from the Raft log when the next writer starts.
BOOST_AUTO_TEST_CASE(appends_acknowledged_by_the_raft_log_survive_sigkill) {
  BOOST_TEST(kill_at_random_moments(24, true) > 1000u);
}
