// Tests nodeagent/report_inbox.cpp: only a pod's newest status is kept, the agent is woken once
// per fill (not per report), events keep their order and stop at the bound, counted.
#include <boost/test/unit_test.hpp>

#include "nodeagent/report_inbox.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

pod_report report_of(const std::string& name, const std::string& phase) {
  pod_report r;
  r.namespace_ = "default";
  r.name = name;
  r.uid = name + "-uid";
  r.status.phase = phase;
  return r;
}

pod_event event_of(const std::string& name, const std::string& reason) {
  pod_event e;
  e.namespace_ = "default";
  e.name = name;
  e.type = "Normal";
  e.reason = reason;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(keeps_only_the_newest_status_of_a_pod_and_wakes_once_per_fill) {
  int wakes = 0;
  report_inbox inbox([&] { ++wakes; });
  inbox.push("node-1", report_of("web", "Pending"));
  inbox.push("node-1", report_of("web", "Running"));
  inbox.push("node-2", report_of("web", "Pending"));
  BOOST_TEST(wakes == 1);
  auto drained = inbox.drain();
  BOOST_REQUIRE(drained.size() == 2u);
  BOOST_TEST(drained.at("node-1/default/web").status.phase == "Running");
  BOOST_TEST(drained.at("node-1/default/web").node_name == "node-1");
  BOOST_TEST(drained.at("node-2/default/web").status.phase == "Pending");
  BOOST_TEST(inbox.drain().empty());
  inbox.push("node-1", report_of("web", "Succeeded"));
  BOOST_TEST(wakes == 2);
}

BOOST_AUTO_TEST_CASE(events_keep_their_order_up_to_the_bound_then_the_newest_are_dropped) {
  int wakes = 0;
  report_inbox inbox([&] { ++wakes; });
  for (int i = 0; i < 1005; ++i)
    inbox.push_event("node-1", event_of("web", "Reason" + std::to_string(i)));
  BOOST_TEST(wakes == 1);
  auto events = inbox.drain_events();
  BOOST_REQUIRE(events.size() == 1000u);
  BOOST_TEST(events.front().reason == "Reason0");
  BOOST_TEST(events.back().reason == "Reason999");
  BOOST_TEST(events.front().node_name == "node-1");
  BOOST_TEST(inbox.drain_events().empty());
  inbox.push_event("node-1", event_of("web", "After"));
  auto after = inbox.drain_events();
  BOOST_REQUIRE(after.size() == 1u);
  BOOST_TEST(after.front().reason == "After");
}

BOOST_AUTO_TEST_CASE(a_status_waiting_in_the_inbox_means_an_event_does_not_wake_again) {
  int wakes = 0;
  report_inbox inbox([&] { ++wakes; });
  inbox.push("node-1", report_of("web", "Running"));
  inbox.push_event("node-1", event_of("web", "Started"));
  BOOST_TEST(wakes == 1);
}
