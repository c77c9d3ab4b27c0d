// Tests actors/controllers/placement_flow.cpp: the room counts pods asked for and pods created
// without a node until they are placed or deleted; held-back RCs come back oldest first, as many
// as the room covers; the bound follows the mean wait of the pods placed in each window.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/placement_flow.hpp"

using capstan::actors::placement_flow;
using capstan::store::object_key;

namespace {

object_key pod(int n) {
  return {"default", "web-" + std::to_string(n)};
}
object_key rc(const std::string& name) {
  return {"default", name};
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_room_counts_asked_and_unplaced_pods_until_placed) {
  placement_flow flow(10);
  BOOST_TEST(flow.room() == 10);
  flow.asked(6);
  BOOST_TEST(flow.room() == 4);
  for (int n = 0; n < 5; ++n)
    flow.created(pod(n), false, 0);
  flow.failed(1);  // the sixth never comes
  BOOST_TEST(flow.unplaced() == 5u);
  BOOST_TEST(flow.room() == 5);
  flow.created(pod(9), true, 0);  // came with its node (a template naming one): never waits
  BOOST_TEST(flow.room() == 5);
  flow.placed(pod(0), 0);
  flow.deleted(pod(1));
  flow.placed(pod(0), 0);   // twice: counted once
  flow.placed(pod(42), 0);  // a pod it never counted
  BOOST_TEST(flow.unplaced() == 3u);
  BOOST_TEST(flow.room() == 7);
  flow.asked(20);
  BOOST_TEST(flow.room() == 0);  // never below nothing
  flow.failed(100);
  BOOST_TEST(flow.room() == 7);
}

BOOST_AUTO_TEST_CASE(held_back_rcs_come_back_oldest_first_as_the_room_allows) {
  placement_flow flow(100);
  flow.asked(100);
  flow.hold_back(rc("a"), 60);
  flow.hold_back(rc("b"), 30);
  flow.hold_back(rc("c"), 50);
  flow.hold_back(rc("a"), 40);  // again: keeps its place, with its new shortfall
  BOOST_TEST(flow.held_back() == 3u);
  BOOST_TEST(flow.release().empty());  // no room yet

  for (int n = 0; n < 100; ++n)
    flow.created(pod(n), false, 0);
  for (int n = 0; n < 50; ++n)
    flow.placed(pod(n), 0);
  BOOST_TEST(flow.room() == 50);
  auto first = flow.release();  // a (40) fits; b (30) is let in while room is left
  BOOST_TEST((first == std::vector<object_key>{rc("a"), rc("b")}));
  BOOST_TEST(flow.held_back() == 1u);

  flow.asked(50);  // a and b synced and asked for their pods: no room
  BOOST_TEST(flow.release().empty());
  flow.failed(1);
  auto second = flow.release();  // any room lets the oldest in
  BOOST_TEST((second == std::vector<object_key>{rc("c")}));
  BOOST_TEST(flow.held_back() == 0u);
  BOOST_TEST(flow.release().empty());
}

BOOST_AUTO_TEST_CASE(a_bound_of_zero_still_lets_one_pod_through) {
  placement_flow flow(0);
  BOOST_TEST(flow.room() == 1);
}

namespace {

constexpr int64_t ms = 1'000'000;

// Creates pods first..first+count-1 at `created` and places them at `placed` (journal times).
void place(placement_flow& flow, int first, int count, int64_t created, int64_t placed) {
  for (int n = first; n < first + count; ++n)
    flow.created(pod(n), false, created);
  for (int n = first; n < first + count; ++n)
    flow.placed(pod(n), placed);
}

// A flow of at most 1,000 pods, at least 100, aiming at a mean wait of 40 ms over windows of
// 100 ms of journal time.
placement_flow fresh_flow() {
  capstan::actors::placement_flow_limits limits;
  limits.max_bound = 1000;
  limits.min_bound = 100;
  limits.target_wait_nanos = 40 * ms;
  limits.window_nanos = 100 * ms;
  return placement_flow(limits);
}

// fresh_flow() after a first window whose pods waited 10 ms (the least wait seen: the target
// stays 40 ms). Its journal time is then under 200 ms.
placement_flow settled_flow() {
  placement_flow flow = fresh_flow();
  place(flow, 9000, 1, 0, 10 * ms);
  place(flow, 9001, 1, 100 * ms, 110 * ms);  // 100 ms after the window's first: it ends
  return flow;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_bound_shrinks_as_the_mean_wait_exceeds_the_target) {
  auto flow = settled_flow();
  BOOST_TEST(flow.bound() == 1000u);
  // A window of 100 ms whose pods waited 80 ms on average (60 and 100): halved. The placement
  // 100 ms after the window's first ends it.
  place(flow, 0, 1, 150 * ms, 210 * ms);
  BOOST_TEST(flow.bound() == 1000u);  // the window is not over yet
  place(flow, 1, 1, 210 * ms, 310 * ms);
  BOOST_TEST(flow.bound() == 500u);
  // 50 ms on average: to 500 * 40 / 50.
  place(flow, 20, 4, 350 * ms, 400 * ms);
  place(flow, 24, 1, 450 * ms, 500 * ms);
  BOOST_TEST(flow.bound() == 400u);
  // Waits of seconds: at most halved a window, and never below the least bound.
  for (int window = 0; window < 4; ++window)
    place(flow, 100 + 2 * window, 2, (1000 + window * 1000) * ms, (3000 + window * 1000) * ms);
  BOOST_TEST(flow.bound() == 100u);
  BOOST_TEST(flow.room() == 100);  // every pod placed: the whole bound is room
}

BOOST_AUTO_TEST_CASE(the_bound_grows_back_while_pods_wait_less_than_the_target) {
  auto flow = settled_flow();
  place(flow, 0, 2, 0, 1000 * ms);
  place(flow, 2, 1, 1000 * ms, 3000 * ms);
  BOOST_TEST(flow.bound() == 500u);
  // Pods placed 40 ms after their creation (at the target): a sixteenth of 1,000 a window.
  int64_t t = 4000 * ms;
  for (int window = 0; window < 20; ++window, t += 100 * ms)
    place(flow, 10 + 2 * window, 2, t - 40 * ms, t);
  BOOST_TEST(flow.bound() == 1000u);  // 500 + 8 * 62 = 996 after 8 windows, then the ceiling
  // A deleted pod's wait is not a placement's: a pod created long ago and deleted now does not
  // shrink the bound.
  flow.created(pod(500), false, 0);
  flow.deleted(pod(500));
  flow.placed(pod(500), t + 200 * ms);  // no longer counted: changes nothing
  BOOST_TEST(flow.bound() == 1000u);
  BOOST_TEST(flow.unplaced() == 0u);
}

// A slow disk: no pod waits under 60 ms, however few wait. The target is then the least wait
// plus 20 ms: the bound does not fall to its least for a wait it cannot shorten, and still
// shrinks when the queue adds to the wait.
BOOST_AUTO_TEST_CASE(where_no_wait_is_short_the_target_is_the_least_wait_plus_half) {
  placement_flow flow = fresh_flow();
  int64_t t = 1000 * ms;
  int n = 0;
  for (int window = 0; window < 30; ++window, t += 100 * ms, n += 2)
    place(flow, n, 2, t - (window % 2 ? 70 : 60) * ms, t);  // 60 or 70 ms, never less
  BOOST_TEST(flow.bound() == 1000u);  // under 60 + 20 ms: never shrunk
  // The window in progress holds the last pod, 70 ms; one of 290 ms ends it at a mean of 180 ms,
  // over twice the target (63.3 ms, the least window, plus 20): halved.
  place(flow, n, 1, t - 290 * ms, t);
  BOOST_TEST(flow.bound() == 500u);
}

BOOST_AUTO_TEST_CASE(unplaced_pods_hold_room_while_the_bound_shrinks_below_them) {
  auto flow = settled_flow();
  flow.asked(1000);
  place(flow, 0, 2, 200 * ms, 300 * ms);
  place(flow, 2, 2, 300 * ms, 500 * ms);  // waited 100 and 200 ms: halved
  BOOST_TEST(flow.bound() == 500u);
  for (int n = 4; n < 704; ++n)
    flow.created(pod(n), false, 500 * ms);
  BOOST_TEST(flow.room() == 0);  // 700 unplaced and 296 asked, above the bound
  for (int n = 4; n < 404; ++n)
    flow.placed(pod(n), 520 * ms);  // 20 ms: within the target, but not a window yet
  BOOST_TEST(flow.bound() == 500u);
  flow.failed(296);
  BOOST_TEST(flow.room() == 200);  // 300 still unplaced
}

// Records carry the journal's clock: a wait of centuries (a clock set far ahead) counts an hour,
// and the sum of many does not overflow.
BOOST_AUTO_TEST_CASE(a_wait_of_centuries_counts_an_hour) {
  auto flow = settled_flow();
  const int64_t far = int64_t{4'000'000'000} * 1'000'000'000;  // about 127 years
  place(flow, 0, 3, 200 * ms, far);  // three such waits would sum past int64_t's range
  place(flow, 10, 1, far, far + 100 * ms);  // ends the window: three hours and 100 ms, by 4
  BOOST_TEST(flow.bound() == 500u);
  place(flow, 20, 1, far + 100 * ms, far + 110 * ms);
  place(flow, 21, 1, far + 200 * ms, far + 210 * ms);  // 10 ms: grows again
  BOOST_TEST(flow.bound() == 562u);
}
