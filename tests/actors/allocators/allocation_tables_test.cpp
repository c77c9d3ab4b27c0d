// Tests actors/allocators/allocation_tables.cpp: ClusterIPs, NodePorts and pod CIDRs are handed
// out once, requested ones are honoured or refused as Invalid, a refusal takes nothing, and a
// restart (rebuild) knows what committed objects hold.
#include <boost/test/unit_test.hpp>

#include "actors/allocators/allocation_tables.hpp"
#include "store/apply.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

allocator_config small_ranges() {
  allocator_config c;
  c.service_cidr = "10.254.0.0/29";  // 6 usable ClusterIPs: .1 to .6
  c.cluster_cidr = "10.1.0.0/23";    // two /24 pod CIDRs
  c.node_port_min = 30000;
  c.node_port_max = 30002;
  return c;
}

messages::service service_named(const std::string& name, const std::string& cluster_ip = "",
                                std::vector<int32_t> node_ports = {}) {
  messages::service s;
  s.metadata.name = name;
  s.metadata.namespace_ = "default";
  s.spec.cluster_ip = cluster_ip;
  if (!node_ports.empty())
    s.spec.type = "NodePort";
  for (auto p : node_ports) {
    messages::service_port port;
    port.port = 80;
    port.node_port = p;
    s.spec.ports.push_back(port);
  }
  return s;
}

messages::node node_named(const std::string& name, const std::string& pod_cidr = "") {
  messages::node n;
  n.metadata.name = name;
  n.spec.pod_cidr = pod_cidr;
  return n;
}

const messages::service& service_of(const command_reply& r) {
  return std::get<messages::service>(*r.object);
}

std::string field_of(const command_reply& r) {
  return r.error && !r.error->causes.empty() ? r.error->causes.front().field : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(cluster_ips_are_handed_out_once_and_reused_after_release) {
  allocation_tables t(small_ranges());
  std::set<std::string> given;
  for (int i = 0; i < 6; ++i) {
    auto r = t.allocate_service(service_named("s" + std::to_string(i)));
    BOOST_REQUIRE(r.ok());
    given.insert(service_of(r).spec.cluster_ip);
  }
  BOOST_TEST(given.size() == 6u);
  BOOST_TEST(!given.count("10.254.0.0"));  // network and broadcast are never given
  BOOST_TEST(!given.count("10.254.0.7"));
  auto full = t.allocate_service(service_named("s6"));
  BOOST_REQUIRE(!full.ok());
  BOOST_TEST(full.error->message.find("no ClusterIP is free") != std::string::npos);
  t.release(object_kind::service, {"default", "s2"});
  BOOST_TEST(t.allocate_service(service_named("s6")).ok());
}

BOOST_AUTO_TEST_CASE(a_requested_cluster_ip_is_honoured_or_refused_as_invalid) {
  allocation_tables t(small_ranges());
  auto a = t.allocate_service(service_named("a", "10.254.0.3"));
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(service_of(a).spec.cluster_ip == "10.254.0.3");
  auto taken = t.allocate_service(service_named("b", "10.254.0.3"));
  BOOST_REQUIRE(!taken.ok());
  BOOST_TEST((taken.error->code == error_code::invalid));
  BOOST_TEST(field_of(taken) == "spec.clusterIP");
  auto outside = t.allocate_service(service_named("b", "10.9.9.9"));
  BOOST_REQUIRE(!outside.ok());
  BOOST_TEST((outside.error->code == error_code::invalid));
  // A headless service holds no address.
  auto headless = t.allocate_service(service_named("h", "None"));
  BOOST_REQUIRE(headless.ok());
  BOOST_TEST(service_of(headless).spec.cluster_ip == "None");
}

BOOST_AUTO_TEST_CASE(a_refused_node_port_request_takes_nothing) {
  allocation_tables t(small_ranges());
  BOOST_REQUIRE(t.allocate_service(service_named("a", "", {30001})).ok());
  // b asks for a free port and a taken one: refused, and the free one stays free.
  auto b = t.allocate_service(service_named("b", "", {30000, 30001}));
  BOOST_REQUIRE(!b.ok());
  BOOST_TEST(field_of(b) == "spec.ports[1].nodePort");
  BOOST_TEST(t.allocate_service(service_named("c", "", {30000})).ok());
  auto outside = t.allocate_service(service_named("d", "", {31000}));
  BOOST_REQUIRE(!outside.ok());
  BOOST_TEST(outside.error->causes.front().detail == "provided port is not in the valid range");
}

BOOST_AUTO_TEST_CASE(an_update_keeps_its_ports_until_settled) {
  allocation_tables t(small_ranges());
  auto first = t.allocate_service(service_named("a", "", {0}));
  BOOST_REQUIRE(first.ok());
  const int32_t port = service_of(first).spec.ports[0].node_port;
  // Allocating again (an update asking for no particular port) keeps the one it owns.
  auto again = t.allocate_service(service_named("a", service_of(first).spec.cluster_ip, {0}));
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(service_of(again).spec.ports[0].node_port == port);
  // An update to ClusterIP type frees its port only once settled.
  auto plain = service_named("a", service_of(first).spec.cluster_ip);
  BOOST_REQUIRE(t.allocate_service(plain).ok());
  BOOST_TEST(!t.allocate_service(service_named("b", "", {port})).ok());
  t.settle_service(plain);
  BOOST_TEST(t.allocate_service(service_named("b", "", {port})).ok());
}

BOOST_AUTO_TEST_CASE(pod_cidrs_are_one_per_node_and_kept_across_joins) {
  allocation_tables t(small_ranges());
  auto one = t.allocate_node(node_named("one"));
  auto two = t.allocate_node(node_named("two"));
  BOOST_REQUIRE(one.ok());
  BOOST_REQUIRE(two.ok());
  const auto& cidr_one = std::get<messages::node>(*one.object).spec.pod_cidr;
  const auto& cidr_two = std::get<messages::node>(*two.object).spec.pod_cidr;
  BOOST_TEST(cidr_one != cidr_two);
  BOOST_TEST(std::get<messages::node>(*t.allocate_node(node_named("one")).object).spec.pod_cidr ==
             cidr_one);
  BOOST_TEST(!t.allocate_node(node_named("three")).ok());  // the /23 holds two /24s
  auto wrong_size = t.allocate_node(node_named("four", "10.1.0.0/25"));
  BOOST_REQUIRE(!wrong_size.ok());
  BOOST_TEST((wrong_size.error->code == error_code::invalid));
  t.release(object_kind::node, {"", "two"});
  auto requested = t.allocate_node(node_named("five", cidr_two));
  BOOST_REQUIRE(requested.ok());
  BOOST_TEST(std::get<messages::node>(*requested.object).spec.pod_cidr == cidr_two);
}

BOOST_AUTO_TEST_CASE(a_rebuild_takes_what_committed_objects_hold) {
  store::cluster_state s;
  auto svc = created(service_named("a", "10.254.0.1", {30000}));
  svc.seq = 1;
  store::apply(s, svc);
  auto n = created(node_named("one", "10.1.1.0/24"));
  n.seq = 2;
  store::apply(s, n);
  allocation_tables t(small_ranges());
  t.rebuild(s);
  BOOST_TEST(!t.allocate_service(service_named("b", "10.254.0.1")).ok());
  BOOST_TEST(!t.allocate_service(service_named("c", "", {30000})).ok());
  BOOST_TEST(!t.allocate_node(node_named("two", "10.1.1.0/24")).ok());
  auto next = t.allocate_node(node_named("two"));
  BOOST_REQUIRE(next.ok());
  BOOST_TEST(std::get<messages::node>(*next.object).spec.pod_cidr == "10.1.0.0/24");
}
