// Tests messages/equal_fields.hpp: deep equality through the field lists.
#include <boost/test/unit_test.hpp>

#include "messages/equal_fields.hpp"
#include "messages/objects.hpp"

using namespace capstan::messages;

namespace {

pod_status running() {
  pod_status s;
  s.phase = "Running";
  s.pod_ip = "10.1.0.2";
  s.start_time = {1700000000};
  s.conditions.push_back({"Ready", "True", {}, {1700000000}, "", ""});
  container_status c;
  c.name = "web";
  c.ready = true;
  c.state.running = container_state_running{{1700000000}};
  s.container_statuses.push_back(c);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(equal_values_are_equal_and_any_changed_field_is_seen) {
  BOOST_TEST(equal_fields(running(), running()));
  auto phase = running();
  phase.phase = "Failed";
  BOOST_TEST(!equal_fields(running(), phase));
  auto nested = running();
  nested.container_statuses[0].state.running->started_at = {1700000001};
  BOOST_TEST(!equal_fields(running(), nested));
  auto optional_gone = running();
  optional_gone.container_statuses[0].state.running.reset();
  BOOST_TEST(!equal_fields(running(), optional_gone));
  auto longer = running();
  longer.conditions.push_back({"Initialized", "True", {}, {}, "", ""});
  BOOST_TEST(!equal_fields(running(), longer));
  auto condition_time = running();
  condition_time.conditions[0].last_transition_time = {1};
  BOOST_TEST(!equal_fields(running(), condition_time));
}

BOOST_AUTO_TEST_CASE(maps_and_quantities_compare_by_value) {
  node_status a;
  a.capacity["cpu"] = quantity::from_milli(4000);
  node_status b = a;
  BOOST_TEST(equal_fields(a, b));
  b.capacity["cpu"] = quantity::from_milli(2000);
  BOOST_TEST(!equal_fields(a, b));
}

BOOST_AUTO_TEST_CASE(objects_of_different_kinds_differ_and_of_one_kind_compare_by_fields) {
  pod p;
  p.metadata.name = "a";
  service s;
  s.metadata.name = "a";
  BOOST_TEST(!equal_fields(any_object(p), any_object(s)));
  BOOST_TEST(equal_fields(any_object(p), any_object(p)));
  pod labelled = p;
  labelled.metadata.labels["tier"] = "web";
  BOOST_TEST(!equal_fields(any_object(p), any_object(labelled)));
  pod other_value = labelled;
  other_value.metadata.labels["tier"] = "db";  // same keys, another value
  BOOST_TEST(!equal_fields(any_object(labelled), any_object(other_value)));
}
