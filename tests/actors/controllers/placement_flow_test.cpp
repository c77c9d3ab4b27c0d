// Tests actors/controllers/placement_flow.cpp: the room counts pods asked for and pods created
// without a node until they are placed; held-back RCs come back oldest first, as many as the
// room covers.
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
    flow.created(pod(n), false);
  flow.failed(1);  // the sixth never comes
  BOOST_TEST(flow.unplaced() == 5u);
  BOOST_TEST(flow.room() == 5);
  flow.created(pod(9), true);  // came with its node (a template naming one): never waits
  BOOST_TEST(flow.room() == 5);
  flow.placed(pod(0));
  flow.placed(pod(1));
  flow.placed(pod(0));   // twice: counted once
  flow.placed(pod(42));  // a pod it never counted
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
    flow.created(pod(n), false);
  for (int n = 0; n < 50; ++n)
    flow.placed(pod(n));
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
