// Tests actors/scheduler/scheduler_state.cpp and plugins.cpp: filters, scores, sampling, and
// the view kept from committed records.
#include <boost/test/unit_test.hpp>

#include <map>

#include "actors/scheduler/scheduler_state.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

void add_node(scheduler_state& s, const std::string& name, int64_t cpu_milli = 4000,
              messages::string_map labels = {}, bool ready = true) {
  auto n = small_node(name);
  n.status.capacity["cpu"] = messages::quantity::from_milli(cpu_milli);
  n.status.allocatable = n.status.capacity;
  for (const auto& [k, v] : labels)
    n.metadata.labels[k] = v;
  n.status.conditions.push_back({"Ready", ready ? "True" : "False", {}, {}, "", ""});
  s.observe(created(n));
}

pod_request wants(int64_t cpu_milli, messages::string_map selector = {}, std::string spread = "") {
  pod_request r;
  r.cpu_milli = cpu_milli;
  r.node_selector = std::move(selector);
  r.spread_key = std::move(spread);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(filters_exclude_not_ready_full_mismatched_and_port_conflicting_nodes) {
  scheduler_state s;
  add_node(s, "down", 4000, {}, false);
  add_node(s, "small", 500);
  add_node(s, "other-zone", 4000, {{"zone", "prod"}});
  BOOST_TEST(!s.place(wants(1000, {{"zone", "test"}})).node);
  add_node(s, "test-zone", 4000, {{"zone", "test"}});
  auto p = s.place(wants(1000, {{"zone", "test"}}));
  BOOST_REQUIRE(p.node);
  BOOST_TEST(*p.node == "test-zone");
  // Host ports: a second pod wanting 80/TCP cannot share the node.
  scheduler_state ports;
  add_node(ports, "only");
  pod_request web = wants(100);
  web.host_ports.insert({80, "TCP"});
  ports.pods[{"default", "a"}] = ports.entry_of(web);
  ports.assume({"default", "a"}, "only");
  auto second = ports.place(web);
  BOOST_TEST(!second.node);
  BOOST_TEST(second.reason.find("didn't have free ports") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unschedulable_reasons_are_counted_like_kube_scheduler) {
  scheduler_state s;
  add_node(s, "a", 500);
  add_node(s, "b", 500);
  add_node(s, "c", 4000, {}, false);
  auto p = s.place(wants(1000));
  BOOST_TEST(!p.node);
  BOOST_TEST(p.reason == "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were not ready.");
}

BOOST_AUTO_TEST_CASE(replicas_spread_and_load_balances) {
  scheduler_state s;
  for (const char* n : {"n1", "n2", "n3"})
    add_node(s, n);
  std::map<std::string, int> per_node;
  for (int i = 0; i < 6; ++i) {
    store::object_key id{"default", "web-" + std::to_string(i)};
    s.pods[id] = s.entry_of(wants(100, {}, "rc-uid"));
    auto p = s.place(s.request_of(s.pods[id]));
    BOOST_REQUIRE(p.node);
    s.assume(id, *p.node);
    per_node[*p.node]++;
  }
  for (const auto& [node, count] : per_node)
    BOOST_TEST(count == 2);
}

// Two keys placed in turn, each spread over its own count of the nodes' pods (the other key's
// pods do not count), a forgotten assumption no longer counted, and no count left on a node
// after placing.
BOOST_AUTO_TEST_CASE(each_key_spreads_by_its_own_pods_and_forgets_failed_assumptions) {
  scheduler_state s;
  for (const char* n : {"n1", "n2", "n3", "n4"})
    add_node(s, n);
  std::map<std::string, std::map<std::string, int>> per_key_node;
  for (int i = 0; i < 8; ++i)
    for (const char* key : {"rc-a", "rc-b"}) {
      store::object_key id{"default", std::string(key) + "-" + std::to_string(i)};
      // rc-b's pods ask more cpu: least-requested alone would not spread them evenly.
      s.pods[id] = s.entry_of(wants(key == std::string("rc-a") ? 100 : 300, {}, key));
      auto p = s.place(s.request_of(s.pods[id]));
      BOOST_REQUIRE(p.node);
      s.assume(id, *p.node);
      per_key_node[key][*p.node]++;
      for (const auto& n : s.nodes)
        BOOST_TEST(n.placing_spread == 0);
    }
  for (const auto& [key, nodes] : per_key_node) {
    BOOST_TEST(nodes.size() == 4u, key);
    for (const auto& [node, count] : nodes)
      BOOST_TEST(count == 2, key << " on " << node);
  }
  // rc-a's pod on n1 failed to bind: n1 then holds one pod of rc-a, the others two; the next
  // pod of rc-a goes there (n1 also has the most free cpu once the pod is forgotten).
  store::object_key first{"default", "rc-a-0"};
  const std::string first_node = s.node_name(s.pods[first].node);
  s.forget(first);
  store::object_key next{"default", "rc-a-8"};
  s.pods[next] = s.entry_of(wants(100, {}, "rc-a"));
  auto p = s.place(s.request_of(s.pods[next]));
  BOOST_REQUIRE(p.node);
  BOOST_TEST(*p.node == first_node);
}

BOOST_AUTO_TEST_CASE(a_large_cluster_is_sampled_not_scanned) {
  scheduler_state s;
  for (int i = 0; i < 5000; ++i)
    add_node(s, "node" + std::to_string(i));
  s.next_start = 0;
  BOOST_REQUIRE(s.place(wants(100)).node);
  // 5% of 5,000 feasible nodes: the sample stops after 250.
  BOOST_TEST(s.next_start == 250u);
  BOOST_REQUIRE(s.place(wants(100)).node);
  BOOST_TEST(s.next_start == 500u);  // the next pod looks at the next nodes
}

BOOST_AUTO_TEST_CASE(the_view_follows_binds_deletes_and_node_changes) {
  scheduler_state s;
  add_node(s, "n1", 1000);
  auto p = small_pod("a");
  p.spec.containers[0].resources.requests["cpu"] = messages::quantity::from_milli(800);
  s.observe(created(p));
  BOOST_TEST(s.queue.size() == 1u);
  s.observe(record_for(p, messages::pod_bound{"n1"}));
  BOOST_TEST(s.nodes[0].cpu_requested == 800);
  auto q = small_pod("b");
  q.spec.containers[0].resources.requests["cpu"] = messages::quantity::from_milli(800);
  s.observe(created(q));
  BOOST_TEST(!s.place(scheduler_state::request_of(q)).node);
  s.unschedulable[{"default", "b"}] = "full";
  s.queue.clear();
  s.observe(record_for(p, messages::object_deleted{}));
  BOOST_TEST(s.nodes[0].cpu_requested == 0);
  BOOST_TEST(s.queue.size() == 1u);  // b is retried: resources were freed
  BOOST_TEST(s.place(scheduler_state::request_of(q)).node.has_value());
}

BOOST_AUTO_TEST_CASE(an_entry_keeps_numbers_and_boxes_only_what_a_pod_asks_beyond_them) {
  scheduler_state s;
  auto plain = s.entry_of(wants(250, {}, "rc-a"));
  BOOST_TEST(!plain.constraints);  // no host port, no selector: no block
  BOOST_TEST(plain.node == 0u);
  BOOST_TEST(plain.spread_id == s.spread_id_of("rc-a"));
  pod_request picky = wants(100, {{"zone", "b"}}, "rc-a");
  picky.host_ports.insert({8080, "TCP"});
  auto entry = s.entry_of(picky, "n7");
  BOOST_REQUIRE(entry.constraints);
  auto back = s.request_of(entry);
  BOOST_TEST(back.cpu_milli == 100);
  BOOST_TEST((back.node_selector == messages::string_map{{"zone", "b"}}));
  BOOST_TEST(back.host_ports.count({8080, "TCP"}) == 1u);
  BOOST_TEST(back.spread_id == plain.spread_id);
  // Node names become numbers once, and numbers name them back.
  BOOST_TEST(s.node_name(entry.node) == "n7");
  BOOST_TEST(s.node_number("n7") == entry.node);
  BOOST_TEST(s.node_number("n8") != entry.node);
  BOOST_TEST(s.node_number("") == 0u);
  BOOST_TEST(s.node_name(0).empty());
}

BOOST_AUTO_TEST_CASE(a_bind_elsewhere_moves_the_accounting_between_nodes) {
  scheduler_state s;
  add_node(s, "a", 1000);
  add_node(s, "b", 1000);
  auto p = small_pod("p");
  p.spec.containers[0].resources.requests["cpu"] = messages::quantity::from_milli(600);
  s.observe(created(p));
  s.assume({"default", "p"}, "a");
  BOOST_TEST(s.nodes[s.node_index.at("a")].cpu_requested == 600);
  // Someone else bound it to b: a is free again, b is not.
  s.observe(record_for(p, messages::pod_bound{"b"}));
  BOOST_TEST(s.nodes[s.node_index.at("a")].cpu_requested == 0);
  BOOST_TEST(s.nodes[s.node_index.at("b")].cpu_requested == 600);
}

// A node deleted while pods are still bound to it keeps what they hold by its name: registered
// again, it is as full as before; a pod deleted meanwhile frees its share; a pod bound to a node
// before the node's own record counts on it when it comes.
BOOST_AUTO_TEST_CASE(a_node_deleted_and_registered_again_keeps_what_its_pods_hold) {
  scheduler_state s;
  add_node(s, "n1", 1000);
  auto cpu_pod = [](const std::string& name, int64_t milli) {
    auto p = small_pod(name);
    p.spec.containers[0].resources.requests["cpu"] = messages::quantity::from_milli(milli);
    return p;
  };
  auto a = cpu_pod("a", 600), b = cpu_pod("b", 300), c = cpu_pod("c", 500);
  for (const auto& p : {a, b}) {
    s.observe(created(p));
    s.observe(record_for(p, messages::pod_bound{"n1"}));
  }
  s.observe(record_for(small_node("n1"), messages::object_deleted{}));
  BOOST_TEST(s.nodes.empty());
  s.observe(record_for(b, messages::object_deleted{}));  // while n1 is away
  add_node(s, "n1", 1000);
  BOOST_REQUIRE(s.nodes.size() == 1u);
  BOOST_TEST(s.nodes[0].cpu_requested == 600);  // a's, not b's
  BOOST_TEST(s.nodes[0].pods == 1);
  s.observe(created(c));
  BOOST_TEST(!s.place(scheduler_state::request_of(c)).node);  // 600 + 500 > 1000
  s.observe(record_for(a, messages::object_deleted{}));
  BOOST_TEST(s.nodes[0].cpu_requested == 0);
  BOOST_TEST(s.place(scheduler_state::request_of(c)).node.has_value());

  // Bound before its node is known.
  auto d = cpu_pod("d", 700);
  s.observe(created(d));
  s.observe(record_for(d, messages::pod_bound{"n2"}));
  add_node(s, "n2", 1000);
  BOOST_TEST(s.nodes[s.node_index.at("n2")].cpu_requested == 700);
  BOOST_TEST(s.nodes[s.node_index.at("n2")].pods == 1);
}
