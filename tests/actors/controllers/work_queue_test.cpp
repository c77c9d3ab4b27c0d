// Tests actors/controllers/work_queue.hpp: client-go's workqueue contract on a clock the test
// holds.
#include <boost/test/unit_test.hpp>

#include <string>

#include "actors/controllers/work_queue.hpp"

using namespace capstan::actors;
using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

namespace {

const time_point t0{};

std::vector<std::string> drain(work_queue<std::string>& q, time_point now) {
  std::vector<std::string> out;
  while (auto key = q.get(now))
    out.push_back(*key);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_key_added_twice_is_queued_once_in_arrival_order) {
  work_queue<std::string> q;
  q.add("b");
  q.add("a");
  q.add("b");
  BOOST_TEST(q.depth() == 2u);
  BOOST_TEST((drain(q, t0) == std::vector<std::string>{"b", "a"}));
  BOOST_TEST(!q.get(t0));
}

BOOST_AUTO_TEST_CASE(a_key_in_flight_is_not_handed_out_again_until_done) {
  work_queue<std::string> q;
  q.add("a");
  auto key = q.get(t0);
  BOOST_REQUIRE(key);
  q.add("a");  // changed while being synced
  BOOST_TEST(!q.get(t0));
  BOOST_TEST(q.in_flight("a"));
  q.done("a");
  BOOST_TEST((drain(q, t0) == std::vector<std::string>{"a"}));
  q.done("a");
  BOOST_TEST(!q.get(t0));  // done without a new add: not queued again
}

BOOST_AUTO_TEST_CASE(a_failed_key_comes_back_after_an_exponential_backoff) {
  backoff_policy policy{10ms, 50ms};
  work_queue<std::string> q(policy);
  BOOST_TEST((q.add_rate_limited("a", t0) == 10ms));
  BOOST_TEST(!q.ready(t0 + 9ms));
  BOOST_TEST((q.next_due() == std::optional<time_point>(t0 + 10ms)));
  BOOST_TEST(q.waiting() == 1u);
  BOOST_TEST((drain(q, t0 + 10ms) == std::vector<std::string>{"a"}));
  q.done("a");
  BOOST_TEST((q.add_rate_limited("a", t0) == 20ms));
  BOOST_TEST((q.add_rate_limited("b", t0) == 10ms));
  BOOST_TEST((q.add_rate_limited("a", t0 + 20ms) == 40ms));
  BOOST_TEST((q.add_rate_limited("a", t0 + 20ms) == 50ms));  // the ceiling
  BOOST_TEST(q.failures("a") == 4u);
  q.forget("a");
  BOOST_TEST(q.failures("a") == 0u);
  BOOST_TEST((q.add_rate_limited("a", t0) == 10ms));  // from the beginning again
}

BOOST_AUTO_TEST_CASE(the_earliest_time_wins_and_an_add_makes_a_waiting_key_ready) {
  work_queue<std::string> q;
  q.add_after("a", t0 + 30ms);
  q.add_after("a", t0 + 10ms);
  q.add_after("a", t0 + 20ms);
  BOOST_TEST((q.next_due() == std::optional<time_point>(t0 + 10ms)));
  BOOST_TEST((drain(q, t0 + 10ms) == std::vector<std::string>{"a"}));
  q.done("a");
  BOOST_TEST(!q.get(t0 + 40ms));  // the later times were superseded
  q.add_after("b", t0 + 100ms);
  q.add("b");  // an event: synced now, not at 100 ms
  BOOST_TEST(q.waiting() == 0u);
  BOOST_TEST((drain(q, t0) == std::vector<std::string>{"b"}));
  q.done("b");
  BOOST_TEST(!q.get(t0 + 200ms));
  BOOST_TEST(!q.next_due());
}

BOOST_AUTO_TEST_CASE(a_key_due_while_in_flight_waits_for_its_sync_to_end) {
  work_queue<std::string> q;
  q.add("a");
  BOOST_REQUIRE(q.get(t0));
  q.add_after("a", t0 + 5ms);
  BOOST_TEST(!q.get(t0 + 5ms));  // due, but still in flight
  q.done("a");
  BOOST_TEST((drain(q, t0 + 5ms) == std::vector<std::string>{"a"}));
}
