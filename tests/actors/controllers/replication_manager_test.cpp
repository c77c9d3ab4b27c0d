// Tests actors/controllers/replication_manager.cpp: the loop around the decisions (retries,
// back-off, what a landed write means), on the test coordinator's clock.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/replication_manager.hpp"
#include "store/apply.hpp"
#include "tests/actors/controllers/registry_doubles.hpp"
#include "tests/actors/controllers/replication_fixtures.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

read_model model_of(const std::vector<any_object>& objects) {
  return read_model(state_with(objects));
}

// A replication manager on the test coordinator over `objects`, between scripted pod and RC
// registries (the RC registry accepts everything; the pod registry refuses `pod_refusals`).
struct scripted_manager {
  read_model model;
  std::shared_ptr<registry_script> pod_script = std::make_shared<registry_script>();
  std::shared_ptr<registry_script> rc_script = std::make_shared<registry_script>();
  std::vector<std::string> log;
  deterministic_system sys;  // last: its actors stop before the members they use go

  scripted_manager(const std::vector<any_object>& objects, int pod_refusals,
                   controller_options options = {})
      : model(model_of(objects)) {
    pod_script->refusals = pod_refusals;
    rc_script->refusals = 0;
    auto pods = sys.keep(spawn_scripted_registry(*sys.system, pod_script));
    auto rcs = sys.keep(spawn_scripted_registry(*sys.system, rc_script));
    options.log = [this](const std::string& line) { log.push_back(line); };
    sys.keep(spawn_replication_manager(*sys.system, model, pods, rcs, options));
    sys.run();
  }
};

// A replication manager on the test coordinator over a model the test commits records to, as
// the journal would: applied to the model, then handed to the manager. Both registries accept
// everything.
struct committing_manager {
  read_model model;
  std::shared_ptr<registry_script> pod_script = std::make_shared<registry_script>();
  std::shared_ptr<registry_script> rc_script = std::make_shared<registry_script>();
  deterministic_system sys;  // after the model: its actors stop before the model goes
  controller_actor manager;

  committing_manager(const std::vector<any_object>& objects,
                     std::size_t max_unplaced_pods = default_max_unplaced_pods)
      : model(model_of(objects)) {
    pod_script->refusals = 0;
    rc_script->refusals = 0;
    auto pods = sys.keep(spawn_scripted_registry(*sys.system, pod_script));
    auto rcs = sys.keep(spawn_scripted_registry(*sys.system, rc_script));
    manager = sys.keep(
        spawn_replication_manager(*sys.system, model, pods, rcs, {}, max_unplaced_pods));
    sys.run();
  }

  void commit(std::vector<messages::journal_record> records) {
    for (std::size_t i = 0; i < records.size(); ++i)
      records[i].seq = model.seq() + 1 + i;
    auto batch = std::make_shared<std::vector<messages::journal_record>>(std::move(records));
    model.apply(*batch);
    caf::anon_send(manager, committed_atom::value, committed_batch(batch));
    sys.run();
  }
};

}  // namespace

// A burst of creates the registry refused (quota, a full disk) is logged and retried after its
// back-off with no other event: nothing else arrives in this test but the clock.
BOOST_AUTO_TEST_CASE(a_create_that_failed_is_retried_without_any_other_event) {
  work_queue_metrics metrics{"replication-manager"};
  controller_options options;
  options.metrics = &metrics;
  options.backoff.base = std::chrono::seconds(1);
  scripted_manager m({rc_with(2)}, 1, options);
  BOOST_TEST((m.pod_script->targets == std::vector<std::string>{"frontend-", "frontend-"}));
  BOOST_REQUIRE(m.log.size() == 1u);
  BOOST_TEST(
      m.log[0].find("replication-manager: default/frontend: 2 of 2 pod creates failed: "
                    "No space left on device (failure 1, retried in 1000 ms)") != std::string::npos,
      m.log[0]);
  m.sys.advance(std::chrono::milliseconds(999));
  BOOST_TEST(m.pod_script->requests == 1);
  m.sys.advance(std::chrono::milliseconds(1));
  BOOST_TEST(m.pod_script->requests == 2);
  BOOST_TEST(m.pod_script->targets.size() == 4u);  // the same two creates again
  BOOST_TEST(metrics.retries.load() == 1u);
  BOOST_TEST(m.log.size() == 1u);
}

// A key that keeps failing waits twice as long each time.
BOOST_AUTO_TEST_CASE(failures_in_a_row_back_off_exponentially) {
  controller_options options;
  options.backoff.base = std::chrono::seconds(1);
  scripted_manager m({rc_with(1)}, 3, options);
  std::vector<int> requests_at;  // requests made by each second 1..8
  for (int second = 1; second <= 8; ++second) {
    m.sys.advance(std::chrono::seconds(1));
    requests_at.push_back(m.pod_script->requests);
  }
  // Failed at 0 s, retried at 1 s (failed), 3 s (failed), 7 s (succeeded).
  BOOST_TEST((requests_at == std::vector<int>{2, 2, 3, 3, 3, 3, 4, 4}));
}

// Regression (found by the simulation, seed 733): a scale-down whose delete the journal refused
// (a write error) was dropped; in a quiet cluster nothing synced the RC again, and it kept
// more pods than replicas.
BOOST_AUTO_TEST_CASE(a_delete_that_failed_is_tried_again) {
  scripted_manager m({rc_with(1), member("a", "n1", true), member("b", "n1", true)}, 1);
  BOOST_REQUIRE(m.pod_script->targets.size() == 1u);
  m.sys.advance(std::chrono::milliseconds(5));
  BOOST_REQUIRE(m.pod_script->targets.size() == 2u);
  BOOST_TEST(m.pod_script->targets[1] == m.pod_script->targets[0]);  // the same pod again
}

// Regression (found by the simulation, seed 205): a status computed before a scale-down's
// delete landed after the sync that followed the delete (which found the older status current
// and wrote nothing), so the RC's status said 3 replicas of 2 for good. A status write that
// lands makes the RC be looked at again: here the registry double never updates the model, so
// the status still differs and is written again.
BOOST_AUTO_TEST_CASE(a_status_write_that_landed_is_checked_again) {
  auto model = model_of({rc_with(1), member("a", "n1", true)});
  deterministic_system sys;  // after the model: its actors stop before the model goes
  auto pod_script = std::make_shared<registry_script>();
  pod_script->refusals = 0;
  auto pods = sys.keep(spawn_scripted_registry(*sys.system, pod_script));
  auto writes = std::make_shared<int>(0);
  registry_answers answers;
  answers.command = [writes](const object_command& c) {
    BOOST_TEST(c.target.name == "frontend");
    command_reply landed;
    landed.seq = 3;
    return ++*writes < 3 ? landed : command_reply{};  // the third lands nothing: no news
  };
  auto rcs = sys.keep(spawn_registry_double(*sys.system, answers));
  controller_options options;
  sys.keep(spawn_replication_manager(*sys.system, model, pods, rcs, options));
  sys.run();
  BOOST_TEST(*writes == 3);  // written, landed, looked at again (twice), then quiet
}

// A pod relabelled out of its RC's selector is found through the labels it had before (held
// once per distinct set): the RC, short of a pod now, creates one.
BOOST_AUTO_TEST_CASE(a_pod_relabelled_out_of_its_rc_is_replaced) {
  auto rc = rc_with(1);
  auto a = member("a", "n1", true);
  a.metadata.labels = rc.spec.selector;
  committing_manager m({rc, a});
  BOOST_REQUIRE(m.pod_script->targets.empty());  // a is the one replica
  m.commit({record_for(a, messages::labels_changed{{{"name", "elsewhere"}}})});
  BOOST_TEST((m.pod_script->targets == std::vector<std::string>{"frontend-"}));
}

// Flow control (placement_flow.hpp): an RC of 25 under a bound of 10 asks for 10 pods, and for
// more only as those are bound or found unschedulable.
BOOST_AUTO_TEST_CASE(creates_wait_for_the_scheduler_beyond_the_bound) {
  auto rc = rc_with(25);
  committing_manager m({rc}, 10);
  BOOST_TEST(m.pod_script->targets.size() == 10u);

  std::vector<messages::pod> created;
  // The pods asked for so far that are not yet committed, as the registry would commit them.
  auto commit_creates = [&] {
    std::vector<messages::journal_record> creates;
    while (created.size() < m.pod_script->targets.size()) {
      auto p = member("frontend-" + std::to_string(created.size()), "", false);
      p.metadata.labels = rc.spec.selector;
      p.metadata.owner_references.push_back(
          {"v1", "ReplicationController", "frontend", "rc-uid", true});
      created.push_back(p);
      creates.push_back(record_for(p, messages::object_created{p}));
    }
    m.commit(creates);
  };
  commit_creates();
  BOOST_TEST(m.pod_script->targets.size() == 10u);  // 15 short, no room: none asked for

  std::vector<messages::journal_record> binds;
  for (int n = 0; n < 4; ++n)
    binds.push_back(record_for(created[n], messages::pod_bound{"n1"}));
  m.commit(binds);
  BOOST_TEST(m.pod_script->targets.size() == 14u);  // room for 4
  commit_creates();
  BOOST_TEST(m.pod_script->targets.size() == 14u);

  messages::pod_status unschedulable;
  unschedulable.phase = "Pending";
  unschedulable.conditions.push_back(
      {"PodScheduled", "False", {}, {}, "Unschedulable", "0/1 nodes are available"});
  m.commit({record_for(created[4], messages::pod_status_changed{unschedulable}),
            record_for(created[5], messages::pod_status_changed{unschedulable})});
  BOOST_TEST(m.pod_script->targets.size() == 16u);  // and for 2 more
}
