// Tests proxy/stale_flows.cpp: which conntrack entries a change of the rules leaves stale.
#include <boost/test/unit_test.hpp>

#include "proxy/stale_flows.hpp"

using namespace capstan::proxy;

namespace {

using args = std::vector<std::string>;

service_port_plan udp(std::vector<std::string> endpoint_ips, int32_t node_port = 0) {
  service_port_plan p;
  p.service = "default/dns";
  p.port_name = "dns";
  p.protocol = "UDP";
  p.cluster_ip = "10.254.0.10";
  p.port = 53;
  p.node_port = node_port;
  for (const auto& ip : endpoint_ips)
    p.endpoints.push_back({ip, 5353});
  return p;
}

bool contains(const std::vector<args>& all, const args& one) {
  return std::find(all.begin(), all.end(), one) != all.end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_endpoint_that_went_loses_its_flows_by_cluster_ip_and_node_port) {
  auto out = stale_udp_flows({udp({"10.1.1.2", "10.1.2.2"}, 30053)}, {udp({"10.1.2.2"}, 30053)});
  BOOST_TEST(out.size() == 2u);
  BOOST_TEST(
      contains(out, {"-D", "-p", "udp", "--orig-dst", "10.254.0.10", "--dst-nat", "10.1.1.2"}));
  BOOST_TEST(contains(out, {"-D", "-p", "udp", "--dport", "30053", "--dst-nat", "10.1.1.2"}));
}

BOOST_AUTO_TEST_CASE(a_service_that_went_loses_the_flows_of_all_its_endpoints) {
  auto out = stale_udp_flows({udp({"10.1.1.2", "10.1.2.2"})}, {});
  BOOST_TEST(out.size() == 2u);
  BOOST_TEST(
      contains(out, {"-D", "-p", "udp", "--orig-dst", "10.254.0.10", "--dst-nat", "10.1.2.2"}));
}

BOOST_AUTO_TEST_CASE(a_port_that_gets_its_first_endpoint_loses_every_flow_to_it) {
  auto out = stale_udp_flows({udp({}, 30053)}, {udp({"10.1.1.2"}, 30053)});
  BOOST_TEST(out.size() == 2u);
  BOOST_TEST(contains(out, {"-D", "-p", "udp", "--orig-dst", "10.254.0.10"}));
  BOOST_TEST(contains(out, {"-D", "-p", "udp", "--dport", "30053"}));
  // A new service with endpoints (flows to its address may predate its rules) too.
  BOOST_TEST(stale_udp_flows({}, {udp({"10.1.1.2"})}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_for_tcp_unchanged_or_grown_ports_or_headless_services) {
  auto tcp_before = udp({"10.1.1.2"});
  tcp_before.protocol = "TCP";
  auto tcp_after = tcp_before;
  tcp_after.endpoints.clear();
  BOOST_TEST(stale_udp_flows({tcp_before}, {tcp_after}).empty());
  BOOST_TEST(stale_udp_flows({udp({"10.1.1.2"})}, {udp({"10.1.1.2"})}).empty());
  BOOST_TEST(stale_udp_flows({udp({"10.1.1.2"})}, {udp({"10.1.1.2", "10.1.2.2"})}).empty());
  auto headless = udp({"10.1.1.2"});
  headless.cluster_ip = "None";
  auto gone = headless;
  gone.endpoints.clear();
  BOOST_TEST(stale_udp_flows({headless}, {gone}).empty());
}
