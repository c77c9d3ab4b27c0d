// Tests actors/controllers/rc_sync.cpp: the reconciliation decisions.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/rc_sync.hpp"
#include "tests/actors/controllers/replication_fixtures.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

// plan_rc_sync over pods held by value.
rc_decision plan_for(const messages::replication_controller& rc,
                     const std::vector<messages::pod>& pods, const rc_expectations& pending,
                     int max_burst = 500) {
  std::vector<const messages::pod*> matching;
  for (const auto& p : pods)
    matching.push_back(&p);
  return plan_rc_sync(rc, matching, pending, max_burst);
}

}  // namespace

BOOST_AUTO_TEST_CASE(scale_up_creates_the_shortfall_within_the_burst) {
  auto d = plan_for(rc_with(3), {member("a", "n1", true)}, {});
  BOOST_TEST(d.create == 2);
  BOOST_TEST(d.remove.empty());
  auto big = plan_for(rc_with(2000), {}, {}, 500);
  BOOST_TEST(big.create == 500);
}

BOOST_AUTO_TEST_CASE(nothing_is_done_twice_while_work_is_in_flight) {
  rc_expectations pending;
  pending.creates = 2;
  auto d = plan_for(rc_with(3), {member("a", "n1", true)}, pending);
  BOOST_TEST(d.create == 0);
  rc_expectations deleting;
  deleting.deletes = {"b"};
  auto e = plan_for(rc_with(1), {member("a", "n1", true), member("b", "n1", true)}, deleting);
  BOOST_TEST(e.remove.empty());  // b is on its way out; a alone meets replicas=1
}

BOOST_AUTO_TEST_CASE(scale_down_removes_the_most_expendable_pods_first) {
  std::vector<messages::pod> pods = {
      member("ready-old", "n1", true, 100), member("unbound", "", false, 50),
      member("not-ready", "n2", false, 60), member("ready-new", "n3", true, 200)};
  auto d = plan_for(rc_with(1), pods, {});
  BOOST_REQUIRE(d.remove.size() == 3u);
  BOOST_TEST(d.remove[0] == "unbound");
  BOOST_TEST(d.remove[1] == "not-ready");
  BOOST_TEST(d.remove[2] == "ready-new");  // of two ready pods, the newer goes
}

BOOST_AUTO_TEST_CASE(terminal_and_deleting_pods_do_not_count) {
  auto done = member("done", "n1", false);
  done.status.phase = "Succeeded";
  auto going = member("going", "n1", true);
  going.metadata.deletion_timestamp = {999};
  auto d = plan_for(rc_with(1), {done, going}, {});
  BOOST_TEST(d.create == 1);
}

BOOST_AUTO_TEST_CASE(status_is_written_only_when_it_changes) {
  auto rc = rc_with(2);
  auto d = plan_for(rc, {member("a", "n1", true), member("b", "n2", false)}, {});
  BOOST_REQUIRE(d.status.has_value());
  BOOST_TEST(d.status->replicas == 2);
  BOOST_TEST(d.status->ready_replicas == 1);
  BOOST_TEST(d.status->observed_generation == 3);
  rc.status = *d.status;
  BOOST_TEST(
      !plan_for(rc, {member("a", "n1", true), member("b", "n2", false)}, {}).status.has_value());
}

BOOST_AUTO_TEST_CASE(created_pods_come_from_the_template_and_name_their_owner) {
  auto p = pod_from_template(rc_with(1));
  BOOST_TEST(p.metadata.generate_name == "frontend-");
  BOOST_TEST(p.metadata.labels.at("name") == "frontend");
  BOOST_REQUIRE(p.metadata.owner_references.size() == 1u);
  BOOST_TEST(p.metadata.owner_references[0].uid == "rc-uid");
  BOOST_TEST(*p.metadata.owner_references[0].controller);
}
