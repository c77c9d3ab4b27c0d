// Tests store/apply.cpp: what each domain event does to the state, and that records that
// cannot apply are refused without changing anything.
#include <boost/test/unit_test.hpp>

#include "messages/json_codec.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

// Applies records in order, numbering them like the journal would.
struct timeline {
  cluster_state state;
  void operator()(journal_record r, int64_t seconds = 1700000000) {
    r.seq = state.seq + 1;
    r.time_nanos = seconds * 1000000000LL;
    apply(state, r);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_pod_is_created_bound_and_runs) {
  timeline t;
  pod p = small_pod("frontend-x1");
  t(created(p));
  t(record_for(p, pod_bound{"node1"}, "system:scheduler"), 1700000005);
  pod_status running;
  running.phase = "Running";
  running.pod_ip = "10.1.1.2";
  t(record_for(p, pod_status_changed{running}, "system:node:node1"));
  const pod* live = t.state.find<pod>({"default", "frontend-x1"});
  BOOST_REQUIRE(live);
  BOOST_TEST(live->spec.node_name == "node1");
  BOOST_TEST(live->status.phase == "Running");
  BOOST_TEST(live->status.pod_ip == "10.1.1.2");
  BOOST_TEST(live->metadata.resource_version == "3");
  BOOST_TEST(t.state.seq == 3u);
}

BOOST_AUTO_TEST_CASE(binding_records_the_scheduled_condition_at_the_record_time) {
  timeline t;
  pod p = small_pod("a");
  t(created(p));
  t(record_for(p, pod_bound{"node2"}), 1700000042);
  const pod* live = t.state.find<pod>({"default", "a"});
  BOOST_REQUIRE(live->status.conditions.size() == 1u);
  BOOST_TEST(live->status.conditions[0].type == "PodScheduled");
  BOOST_TEST(live->status.conditions[0].last_transition_time.seconds == 1700000042);
}

BOOST_AUTO_TEST_CASE(scaling_an_rc_sets_replicas_and_bumps_generation) {
  timeline t;
  replication_controller rc;
  rc.metadata.name = "frontend";
  rc.metadata.namespace_ = "default";
  rc.metadata.uid = "uid-rc";
  rc.metadata.generation = 1;
  rc.spec.replicas = 3;
  t(created(rc));
  t(record_for(rc, rc_scaled{3, 5}));
  const auto* live = t.state.find<replication_controller>({"default", "frontend"});
  BOOST_TEST(*live->spec.replicas == 5);
  BOOST_TEST(live->metadata.generation == 2);
}

BOOST_AUTO_TEST_CASE(node_labels_and_readiness_change) {
  timeline t;
  node n = small_node("node1");
  t(created(n));
  t(record_for(n, labels_changed{{{"zone", "test"}}}));
  t(record_for(n, node_ready_changed{true, "KubeletReady", "ready"}), 100);
  t(record_for(n, node_ready_changed{false, "NodeStatusUnknown", "stopped posting"}), 200);
  const node* live = t.state.find<node>({"", "node1"});
  BOOST_TEST(live->metadata.labels.at("zone") == "test");
  BOOST_REQUIRE(live->status.conditions.size() == 1u);
  BOOST_TEST(live->status.conditions[0].status == "Unknown");
  BOOST_TEST(live->status.conditions[0].last_transition_time.seconds == 200);
}

BOOST_AUTO_TEST_CASE(the_first_endpoints_change_creates_the_endpoints) {
  timeline t;
  endpoints_changed change;
  endpoint_subset subset;
  subset.addresses.push_back({"10.1.1.2", "", "node1", std::nullopt});
  subset.ports.push_back({"", 6379, "TCP"});
  change.subsets.push_back(subset);
  journal_record r;
  r.kind = object_kind::endpoints;
  r.namespace_ = "default";
  r.name = "redis-master";
  r.cause = "system:endpoints-controller";
  r.event = change;
  t(r);
  const auto* ep = t.state.find<endpoints>({"default", "redis-master"});
  BOOST_REQUIRE(ep);
  BOOST_TEST(ep->subsets.at(0).addresses.at(0).ip == "10.1.1.2");
}

BOOST_AUTO_TEST_CASE(deletion_is_graceful_then_final) {
  timeline t;
  pod p = small_pod("a");
  t(created(p));
  t(record_for(p, deletion_requested{30}), 1000);
  BOOST_TEST(t.state.find<pod>({"default", "a"})->metadata.deletion_timestamp.seconds == 1030);
  t(record_for(p, object_deleted{}));
  BOOST_TEST(!t.state.find<pod>({"default", "a"}));
  BOOST_TEST(t.state.seq == 3u);
}

BOOST_AUTO_TEST_CASE(records_that_cannot_apply_change_nothing) {
  timeline t;
  t(created(small_pod("a")));
  std::string before =
      capstan::messages::to_json(*t.state.find(object_kind::pod, {"default", "a"})).dump();
  // An event for a pod that does not exist.
  auto ghost = record_for(small_pod("ghost"), pod_bound{"node1"});
  ghost.seq = 2;
  BOOST_CHECK_THROW(apply(t.state, ghost), store_error);
  // A record out of order.
  auto skipped = record_for(small_pod("a"), pod_bound{"node1"});
  skipped.seq = 5;
  BOOST_CHECK_THROW(apply(t.state, skipped), store_error);
  // An event that does not fit the kind.
  auto misfit = record_for(small_node("node1"), pod_bound{"x"});
  misfit.kind = object_kind::pod;
  misfit.namespace_ = "default";
  misfit.name = "a";
  misfit.event = rc_scaled{1, 2};
  misfit.seq = 2;
  BOOST_CHECK_THROW(apply(t.state, misfit), store_error);
  BOOST_TEST(t.state.seq == 1u);
  BOOST_TEST(capstan::messages::to_json(*t.state.find(object_kind::pod, {"default", "a"})).dump() ==
             before);
}

// Found by fuzz/journal_record_fuzz: a damaged PodCreated whose object says namespace
// "defjult" while the record says "default" was applied, leaving the state holding the pod
// under a name other than its own (a snapshot of it then loaded as another state).
BOOST_AUTO_TEST_CASE(a_record_whose_object_has_another_name_is_refused) {
  timeline t;
  t(created(small_pod("a")));
  const std::string before =
      capstan::messages::to_json(*t.state.find(object_kind::pod, {"default", "a"})).dump();
  pod renamed = small_pod("a", "defjult");
  auto created_elsewhere = created(renamed);
  created_elsewhere.namespace_ = "default";
  created_elsewhere.name = "b";
  created_elsewhere.seq = 2;
  BOOST_CHECK_THROW(apply(t.state, created_elsewhere), store_error);
  auto updated_elsewhere = record_for(small_pod("a"), object_updated{renamed});
  updated_elsewhere.seq = 2;
  BOOST_CHECK_THROW(apply(t.state, updated_elsewhere), store_error);
  BOOST_TEST(t.state.seq == 1u);
  BOOST_TEST(!t.state.find(object_kind::pod, {"default", "b"}));
  BOOST_TEST(capstan::messages::to_json(*t.state.find(object_kind::pod, {"default", "a"})).dump() ==
             before);
  // The same records with their names agreeing apply.
  t(record_for(small_pod("a"), object_updated{small_pod("a")}));
  BOOST_TEST(t.state.seq == 2u);
}

// Found by fuzz/journal_record_fuzz: a damaged record of kind Service carrying endpointsChanged
// was applied to the Endpoints of that name, and stamped neither object as the record's.
BOOST_AUTO_TEST_CASE(an_endpoints_change_recorded_for_another_kind_is_refused) {
  timeline t;
  capstan::messages::service svc;
  svc.metadata.name = "web";
  svc.metadata.namespace_ = "default";
  t(created(svc));
  endpoint_subset subset;
  subset.addresses.push_back({"10.1.1.2", "", "node1", std::nullopt});
  auto misfiled = record_for(svc, endpoints_changed{{subset}});
  misfiled.seq = 2;
  BOOST_CHECK_THROW(apply(t.state, misfiled), store_error);
  BOOST_TEST(t.state.seq == 1u);
  BOOST_TEST(!t.state.find(object_kind::endpoints, {"default", "web"}));
  // The same change recorded for the Endpoints applies.
  misfiled.kind = object_kind::endpoints;
  t(misfiled);
  BOOST_TEST(t.state.find(object_kind::endpoints, {"default", "web"}));
}

// Found while checking what fuzz/journal_record_fuzz reaches, confirmed by UBSan: a damaged
// DeletionRequested of 2^63-1 seconds overflowed the deletion timestamp (signed overflow), and
// an RcScaled of an RC at the largest generation overflowed it.
BOOST_AUTO_TEST_CASE(records_whose_arithmetic_would_overflow_are_refused) {
  timeline t;
  t(created(small_pod("a")));
  auto forever = record_for(small_pod("a"), deletion_requested{INT64_MAX});
  forever.seq = 2;
  forever.time_nanos = 1700000000LL * 1000000000LL;
  BOOST_CHECK_THROW(apply(t.state, forever), store_error);
  BOOST_TEST(t.state.find<pod>({"default", "a"})->metadata.deletion_timestamp.empty());
  replication_controller rc;
  rc.metadata.name = "web";
  rc.metadata.namespace_ = "default";
  rc.metadata.generation = INT64_MAX;
  t(created(rc));
  auto scaled = record_for(rc, rc_scaled{1, 2});
  scaled.seq = 3;
  BOOST_CHECK_THROW(apply(t.state, scaled), store_error);
  BOOST_TEST(t.state.seq == 2u);
  BOOST_TEST(t.state.find<replication_controller>({"default", "web"})->metadata.generation ==
             INT64_MAX);
}

BOOST_AUTO_TEST_CASE(check_appends_refuses_what_could_not_apply_and_forgets_refused_appends) {
  timeline t;
  pod a = small_pod("a");
  t(created(a));
  pod b = small_pod("b");
  std::vector<journal_record> delete_a{record_for(a, object_deleted{"gone"})};
  std::vector<journal_record> delete_a_again = delete_a;
  // Refused as a whole: its second record concerns a pod that does not exist.
  std::vector<journal_record> create_b_then_bind_c{created(b),
                                                   record_for(small_pod("c"), pod_bound{"n1"})};
  std::vector<journal_record> bind_b{record_for(b, pod_bound{"n1"})};
  std::vector<journal_record> create_a_and_bind{created(a), record_for(a, pod_bound{"n1"})};
  auto refusals = check_appends(
      t.state, {&delete_a, &delete_a_again, &create_b_then_bind_c, &bind_b, &create_a_and_bind});
  BOOST_REQUIRE(refusals.size() == 5u);
  BOOST_TEST(refusals[0].empty());
  BOOST_TEST(refusals[1] == "PodDeleted default/a cannot apply: no such Pod");
  BOOST_TEST(refusals[2] == "PodBound default/c cannot apply: no such Pod");
  BOOST_TEST(!refusals[3].empty());  // b was never created: its append was refused
  BOOST_TEST(refusals[4].empty());   // created again within the batch, then bound
}

BOOST_AUTO_TEST_CASE(check_appends_binds_a_pod_once) {
  timeline t;
  pod bound = small_pod("bound");
  t(created(bound));
  t(record_for(bound, pod_bound{"n1"}));
  pod free = small_pod("free");
  t(created(free));
  pod going = small_pod("going");
  t(created(going));
  t(record_for(going, deletion_requested{30}));
  std::vector<journal_record> rebind{record_for(bound, pod_bound{"n2"})};
  std::vector<journal_record> bind_free{record_for(free, pod_bound{"n1"})};
  std::vector<journal_record> bind_free_again{record_for(free, pod_bound{"n2"})};
  std::vector<journal_record> bind_going{record_for(going, pod_bound{"n1"})};
  auto refusals = check_appends(t.state, {&rebind, &bind_free, &bind_free_again, &bind_going});
  BOOST_REQUIRE(refusals.size() == 4u);
  BOOST_TEST(refusals[0] ==
             "PodBound default/bound cannot apply: the pod is already assigned to a node or being "
             "deleted");
  BOOST_TEST(refusals[1].empty());
  BOOST_TEST(!refusals[2].empty());  // the same batch bound it already
  BOOST_TEST(!refusals[3].empty());  // being deleted
}
