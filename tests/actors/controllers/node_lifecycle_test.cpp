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
