// Tests actors/nodes/proxy_feed.cpp: what the nodes' service proxies are sent -- everything at
// a join, then per committed batch only the services and endpoints it touched, as they are
// now, with those that went listed as removed.
#include <boost/test/unit_test.hpp>

#include "actors/nodes/proxy_feed.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

messages::service service_named(const std::string& name, const std::string& ns = "default") {
  messages::service s;
  s.metadata.name = name;
  s.metadata.namespace_ = ns;
  s.spec.cluster_ip = "10.254.0.9";
  return s;
}

messages::endpoints endpoints_named(const std::string& name) {
  messages::endpoints e;
  e.metadata.name = name;
  e.metadata.namespace_ = "default";
  return e;
}

// A model that committed `records` after `objects`: the batch as the fan-out hands it over.
struct committed {
  read_model model;
  committed_batch batch;

  committed(const std::vector<any_object>& objects, std::vector<messages::journal_record> records)
      : model(state_with(objects)) {
    uint64_t seq = model.seq();
    for (auto& r : records)
      r.seq = ++seq;
    model.apply(records);
    batch = std::make_shared<const std::vector<messages::journal_record>>(std::move(records));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_join_gets_every_service_and_endpoints_with_the_service_range) {
  read_model model(state_with({service_named("a"), service_named("b", "other"),
                               endpoints_named("a"), small_pod("p")}));
  auto update = full_proxy_update(model, {"10.254.0.0/16", "10.254.0.10", "cluster.local"});
  BOOST_TEST(update.full);
  BOOST_TEST(update.service_cidr == "10.254.0.0/16");
  BOOST_TEST(update.seq == model.seq());
  BOOST_TEST(update.services.size() == 2u);
  BOOST_TEST(update.endpoints_list.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_batch_without_services_or_endpoints_sends_nothing) {
  committed c({service_named("a")}, {created(small_pod("p")), created(small_node("n"))});
  BOOST_TEST(!proxy_changes(c.model, c.batch).has_value());
}

BOOST_AUTO_TEST_CASE(a_batch_sends_what_it_touched_as_it_is_now_and_what_went) {
  auto changed = service_named("a");
  changed.spec.cluster_ip = "10.254.0.77";
  auto update_a = record_for(changed, messages::object_updated{changed});
  auto delete_b = record_for(service_named("b"), messages::object_deleted{});
  committed c({service_named("a"), service_named("b"), service_named("untouched")},
              {update_a, delete_b, created(endpoints_named("a")), created(small_pod("p"))});
  auto update = proxy_changes(c.model, c.batch);
  BOOST_REQUIRE(update.has_value());
  BOOST_TEST(!update->full);
  BOOST_TEST(update->seq == c.batch->back().seq);
  BOOST_REQUIRE(update->services.size() == 1u);  // not "untouched", not b
  BOOST_TEST(update->services[0].spec.cluster_ip == "10.254.0.77");
  BOOST_REQUIRE(update->removed_services.size() == 1u);
  BOOST_TEST(update->removed_services[0].name == "b");
  BOOST_REQUIRE(update->endpoints_list.size() == 1u);
  BOOST_TEST(update->endpoints_list[0].metadata.name == "a");
  BOOST_TEST(update->removed_endpoints.empty());
}

BOOST_AUTO_TEST_CASE(an_object_touched_twice_in_a_batch_is_sent_once) {
  auto first = service_named("a");
  auto second = service_named("a");
  second.spec.cluster_ip = "10.254.0.8";
  committed c({}, {created(first), record_for(second, messages::object_updated{second})});
  auto update = proxy_changes(c.model, c.batch);
  BOOST_REQUIRE(update.has_value());
  BOOST_REQUIRE(update->services.size() == 1u);
  BOOST_TEST(update->services[0].spec.cluster_ip == "10.254.0.8");
}
