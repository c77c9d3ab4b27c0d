// Tests actors/objects/object_rules.cpp: what each command on an existing object journals,
// and what it refuses.
#include <boost/test/unit_test.hpp>

#include "actors/objects/object_rules.hpp"
#include "messages/defaults.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

template <class T>
T stored(T object) {
  messages::any_object o = object;
  messages::apply_defaults(o);
  auto& meta = messages::meta_of(o);
  meta.resource_version = "7";
  meta.generation = 1;
  return std::get<T>(o);
}

messages::replication_controller an_rc() {
  messages::replication_controller rc;
  rc.metadata.name = "frontend";
  rc.metadata.namespace_ = "default";
  rc.metadata.uid = "rc-uid";
  rc.spec.replicas = 3;
  messages::pod_template_spec t;
  t.metadata.labels = {{"name", "frontend"}};
  t.spec = small_pod("x").spec;
  rc.spec.template_ = t;
  return stored(rc);
}

object_command on(messages::object_kind kind, decltype(object_command::op) op) {
  return {kind, {"default", "frontend"}, "alice", std::move(op)};
}

template <class E>
const E* event_of(const planned_change& c) {
  auto* r = std::get_if<messages::journal_record>(&c);
  return r ? std::get_if<E>(&r->event) : nullptr;
}

error_code code_of(const planned_change& c) {
  return std::get<command_reply>(c).error->code;
}

}  // namespace

BOOST_AUTO_TEST_CASE(updates_are_named_precisely_labels_scale_or_update) {
  auto rc = an_rc();
  auto labels = rc;
  labels.metadata.labels["tier"] = "web";
  BOOST_TEST(event_of<messages::labels_changed>(
      plan_change(rc, on(messages::object_kind::replication_controller, update_op{labels}))));
  auto scaled = rc;
  scaled.spec.replicas = 5;
  auto scale_change =
      plan_change(rc, on(messages::object_kind::replication_controller, update_op{scaled}));
  auto* s = event_of<messages::rc_scaled>(scale_change);
  BOOST_REQUIRE(s);
  BOOST_TEST(s->from == 3);
  BOOST_TEST(s->to == 5);
  auto image = rc;
  image.spec.template_->spec.containers[0].image = "frontend:v2";
  auto image_change =
      plan_change(rc, on(messages::object_kind::replication_controller, update_op{image}));
  auto* u = event_of<messages::object_updated>(image_change);
  BOOST_REQUIRE(u);
  BOOST_TEST(messages::meta_of(u->object).generation == 2);  // spec changed
  auto same = plan_change(rc, on(messages::object_kind::replication_controller, update_op{rc}));
  BOOST_TEST(std::get<command_reply>(same).ok());  // nothing to journal
}

BOOST_AUTO_TEST_CASE(a_stale_resource_version_or_uid_is_a_conflict) {
  auto rc = an_rc();
  auto stale = rc;
  stale.metadata.resource_version = "6";
  stale.metadata.labels["x"] = "y";
  BOOST_TEST(static_cast<int>(code_of(plan_change(
                 rc, on(messages::object_kind::replication_controller, update_op{stale})))) ==
             static_cast<int>(error_code::conflict));
  BOOST_TEST(
      static_cast<int>(code_of(plan_change(rc, on(messages::object_kind::replication_controller,
                                                  delete_op{"", "other-uid", "", std::nullopt})))) ==
      static_cast<int>(error_code::conflict));
}

BOOST_AUTO_TEST_CASE(scale_preconditions_follow_kubectl) {
  auto rc = an_rc();
  auto wrong =
      plan_change(rc, on(messages::object_kind::replication_controller, scale_op{5, 2, ""}));
  BOOST_TEST(std::get<command_reply>(wrong).error->message.find(
                 "Expected replicas to be 2, was 3") != std::string::npos);
  BOOST_TEST(event_of<messages::rc_scaled>(
      plan_change(rc, on(messages::object_kind::replication_controller, scale_op{5, 3, "7"}))));
  BOOST_TEST(
      static_cast<int>(code_of(plan_change(rc, on(messages::object_kind::replication_controller,
                                                  scale_op{-1, std::nullopt, ""})))) ==
      static_cast<int>(error_code::invalid));
}

BOOST_AUTO_TEST_CASE(pods_bind_once_and_keep_their_spec) {
  auto p = stored(small_pod("frontend"));
  BOOST_TEST(
      event_of<messages::pod_bound>(plan_change(p, on(messages::object_kind::pod, bind_op{"n1"}))));
  auto bound = p;
  bound.spec.node_name = "n1";
  BOOST_TEST(static_cast<int>(
                 code_of(plan_change(bound, on(messages::object_kind::pod, bind_op{"n2"})))) ==
             static_cast<int>(error_code::conflict));
  auto changed = p;
  changed.spec.restart_policy = "Never";
  auto r = plan_change(p, on(messages::object_kind::pod, update_op{changed}));
  BOOST_TEST(static_cast<int>(code_of(r)) == static_cast<int>(error_code::invalid));
  auto new_image = p;
  new_image.spec.containers[0].image = "frontend:v2";
  BOOST_TEST(event_of<messages::object_updated>(
      plan_change(p, on(messages::object_kind::pod, update_op{new_image}))));
}

BOOST_AUTO_TEST_CASE(status_changes_journal_only_differences) {
  auto p = stored(small_pod("frontend"));
  auto running = p;
  running.status.phase = "Running";
  BOOST_TEST(event_of<messages::pod_status_changed>(
      plan_change(p, on(messages::object_kind::pod, status_op{running}))));
  BOOST_TEST(
      std::get<command_reply>(plan_change(p, on(messages::object_kind::pod, status_op{p}))).ok());
}

// A status report that restates times only (a reconnecting node, a restarted master) changes
// nothing; a real change keeps the times of the conditions that did not transition.
BOOST_AUTO_TEST_CASE(status_times_move_only_on_a_transition) {
  auto running = stored(small_pod("frontend"));
  running.metadata.uid = "pod-uid";
  running.status.phase = "Running";
  running.status.start_time = {100};
  running.status.conditions = {{"PodScheduled", "True", {}, {100}, "", ""},
                               {"Ready", "True", {}, {100}, "", ""}};
  messages::container_status c;
  c.name = "c";
  c.container_id = "runc://1";
  c.state.running = messages::container_state_running{{100}};
  running.status.container_statuses = {c};
  auto restated = running;
  restated.metadata.resource_version.clear();
  restated.status.start_time = {200};
  for (auto& condition : restated.status.conditions)
    condition.last_transition_time = {200};
  restated.status.container_statuses[0].state.running->started_at = {200};
  auto same = plan_change(running, on(messages::object_kind::pod, status_op{restated}));
  BOOST_TEST(std::holds_alternative<command_reply>(same));

  auto not_ready = restated;
  not_ready.status.conditions[1].status = "False";
  auto changed = plan_change(running, on(messages::object_kind::pod, status_op{not_ready}));
  auto* event = event_of<messages::pod_status_changed>(changed);
  BOOST_REQUIRE(event);
  BOOST_TEST(event->status.conditions[0].last_transition_time.seconds == 100);  // still True
  BOOST_TEST(event->status.conditions[1].last_transition_time.seconds == 200);  // True -> False

  auto restarted = restated;
  restarted.status.container_statuses[0].restart_count = 1;
  auto restart_change = plan_change(running, on(messages::object_kind::pod, status_op{restarted}));
  auto* again = event_of<messages::pod_status_changed>(restart_change);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->status.container_statuses[0].state.running->started_at.seconds == 200);
}

BOOST_AUTO_TEST_CASE(a_node_restating_its_status_changes_nothing) {
  messages::node n;
  n.metadata.name = "node1";
  n.metadata.uid = "node-uid";
  n.status.conditions = {{"Ready", "True", {100}, {100}, "KubeletReady", "ready"}};
  n = stored(n);
  auto rejoined = n;
  rejoined.metadata.resource_version.clear();
  rejoined.status.conditions[0].last_heartbeat_time = {300};
  rejoined.status.conditions[0].last_transition_time = {300};
  object_command c{messages::object_kind::node, {"", "node1"}, "system:node:node1", status_op{rejoined}};
  BOOST_TEST(std::holds_alternative<command_reply>(plan_change(n, c)));
}

namespace {

messages::pod a_pod(const std::string& node, const std::string& phase) {
  auto p = small_pod("frontend");
  p.metadata.namespace_ = "default";
  p.metadata.uid = "pod-uid";
  p.spec.node_name = node;
  p.status.phase = phase;
  return stored(p);
}

int64_t grace_of(const planned_change& c) {
  auto* e = event_of<messages::deletion_requested>(c);
  return e ? e->grace_period_seconds : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_pod_on_a_node_is_deleted_gracefully) {
  auto running = a_pod("node1", "Running");
  // Its terminationGracePeriodSeconds (defaulted to 30), or the delete's grace period.
  BOOST_TEST(grace_of(plan_change(running, on(messages::object_kind::pod, delete_op{}))) == 30);
  running.spec.termination_grace_period_seconds = 5;
  BOOST_TEST(grace_of(plan_change(running, on(messages::object_kind::pod, delete_op{}))) == 5);
  BOOST_TEST(grace_of(plan_change(running, on(messages::object_kind::pod,
                                              delete_op{"", "", "", 60}))) == 60);
  // 0 (--force --grace-period=0) removes it at once.
  BOOST_TEST(event_of<messages::object_deleted>(
      plan_change(running, on(messages::object_kind::pod, delete_op{"", "", "", 0}))));
}

BOOST_AUTO_TEST_CASE(a_pod_no_node_runs_is_deleted_at_once) {
  for (auto p : {a_pod("", "Pending"), a_pod("node1", "Succeeded"), a_pod("node1", "Failed")})
    BOOST_TEST(event_of<messages::object_deleted>(
        plan_change(p, on(messages::object_kind::pod, delete_op{}))));
}

BOOST_AUTO_TEST_CASE(a_second_delete_may_shorten_the_grace_period_but_not_lengthen_it) {
  auto terminating = a_pod("node1", "Running");
  terminating.metadata.deletion_timestamp = {messages::timestamp::now().seconds + 20};
  terminating.metadata.deletion_grace_period_seconds = 20;
  auto longer =
      plan_change(terminating, on(messages::object_kind::pod, delete_op{"", "", "", 60}));
  BOOST_TEST(std::get<command_reply>(longer).ok());  // nothing journaled
  BOOST_TEST(grace_of(plan_change(terminating, on(messages::object_kind::pod,
                                                  delete_op{"", "", "", 2}))) == 2);
  BOOST_TEST(event_of<messages::object_deleted>(
      plan_change(terminating, on(messages::object_kind::pod, delete_op{"", "", "", 0}))));
}
