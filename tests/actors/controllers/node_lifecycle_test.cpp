// Tests actors/controllers/node_lifecycle.cpp: Ready -> Unknown after the grace period,
// eviction after the timeout, on explicit times.
#include <boost/test/unit_test.hpp>

#include "actors/controllers/node_lifecycle.hpp"

using namespace capstan::actors;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(silent_nodes_go_unknown_then_lose_their_pods_once) {
  node_lifecycle_state s;
  s.config.grace = 40s;
  s.config.eviction = 300s;
  auto t0 = lifecycle_clock::time_point{} + 1000s;
  s.started = t0;
  s.heartbeat("n1", t0);
  s.heartbeat("n2", t0);
  auto a = s.tick(t0 + 30s, {{"n1", "True"}, {"n2", "True"}});
  BOOST_TEST(a.mark_unknown.empty());
  s.heartbeat("n2", t0 + 35s);
  auto b = s.tick(t0 + 41s, {{"n1", "True"}, {"n2", "True"}});
  BOOST_TEST((b.mark_unknown == std::vector<std::string>{"n1"}));
  BOOST_TEST(b.evict.empty());
  s.heartbeat("n2", t0 + 338s);  // n2 stays alive throughout
  auto c = s.tick(t0 + 339s, {{"n1", "Unknown"}, {"n2", "True"}});
  BOOST_TEST(c.evict.empty());  // not ready since t0+40s: 299 s so far
  auto d = s.tick(t0 + 341s, {{"n1", "Unknown"}, {"n2", "True"}});
  BOOST_TEST((d.evict == std::vector<std::string>{"n1"}));
  s.heartbeat("n2", t0 + 399s);
  auto e = s.tick(t0 + 400s, {{"n1", "Unknown"}, {"n2", "True"}});
  BOOST_TEST(e.evict.empty());  // once
  s.heartbeat("n1", t0 + 401s);
  BOOST_TEST(s.tick(t0 + 402s, {{"n1", "True"}, {"n2", "True"}}).mark_unknown.empty());
}

BOOST_AUTO_TEST_CASE(nodes_get_the_grace_period_from_the_masters_start) {
  node_lifecycle_state s;
  s.config.grace = 40s;
  auto t0 = lifecycle_clock::time_point{} + 1000s;
  s.started = t0;
  BOOST_TEST(s.tick(t0 + 39s, {{"restored", "True"}}).mark_unknown.empty());
  BOOST_TEST(s.tick(t0 + 41s, {{"restored", "True"}}).mark_unknown.size() == 1u);
}

// Regression (found by the simulation, seed 1): pods bound to a deleted node stayed bound to
// it forever. They are collected once the node has been missing for the grace period, and
// again a grace period later if some remain.
BOOST_AUTO_TEST_CASE(pods_bound_to_a_node_that_does_not_exist_are_collected) {
  node_lifecycle_state s;
  s.config.grace = 40s;
  s.config.eviction = 300s;
  auto t0 = lifecycle_clock::time_point{} + 1000s;
  s.started = t0;
  s.heartbeat("n1", t0);
  const std::vector<std::pair<std::string, std::string>> nodes = {{"n1", "True"}};
  BOOST_TEST(s.tick(t0, nodes, {"n1", "gone"}).collect.empty());  // first seen missing
  BOOST_TEST(s.tick(t0 + 39s, nodes, {"n1", "gone"}).collect.empty());
  auto a = s.tick(t0 + 40s, nodes, {"n1", "gone"});
  BOOST_TEST((a.collect == std::vector<std::string>{"gone"}));
  BOOST_TEST(a.evict.empty());
  BOOST_TEST(s.tick(t0 + 41s, nodes, {"n1", "gone"}).collect.empty());  // deletes in flight
  BOOST_TEST(s.tick(t0 + 80s, nodes, {"n1", "gone"}).collect.size() == 1u);
  // A node that appears (registered again) keeps its pods.
  BOOST_TEST(s.tick(t0 + 81s, nodes, {"late"}).collect.empty());
  BOOST_TEST(s.tick(t0 + 100s, {{"n1", "True"}, {"late", "True"}}, {"late"}).collect.empty());
  BOOST_TEST(s.tick(t0 + 200s, {{"n1", "True"}, {"late", "True"}}, {"late"}).collect.empty());
}
