// Tests proxy/iptables_rules.cpp and the rule text of proxy/userspace_proxier.cpp: which
// service ports meet which endpoints, the balancing probabilities, NodePorts, stale chains.
#include <boost/test/unit_test.hpp>

#include "proxy/iptables_rules.hpp"
#include "proxy/userspace_proxier.hpp"

using namespace capstan;
using namespace capstan::proxy;

namespace {

messages::service web(const std::string& type = "ClusterIP") {
  messages::service s;
  s.metadata.name = "web";
  s.metadata.namespace_ = "default";
  s.spec.type = type;
  s.spec.cluster_ip = "10.254.0.5";
  s.spec.ports = {{"http", "TCP", 80, messages::int_or_string::of(8080), 30080},
                  {"metrics", "TCP", 9100, messages::int_or_string::of(9100), 30081}};
  return s;
}

messages::endpoints web_endpoints(std::vector<std::string> ips) {
  messages::endpoints e;
  e.metadata.name = "web";
  e.metadata.namespace_ = "default";
  messages::endpoint_subset subset;
  for (const auto& ip : ips)
    subset.addresses.push_back({ip, "", "", std::nullopt});
  subset.ports = {{"http", 8080, "TCP"}};  // only the http port has endpoints
  e.subsets.push_back(subset);
  return e;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ports_meet_endpoints_by_name_and_headless_services_are_skipped) {
  auto headless = web();
  headless.metadata.name = "headless";
  headless.spec.cluster_ip = "None";
  auto plans = plan_services({web(), headless}, {web_endpoints({"10.1.0.3", "10.1.1.2"})});
  BOOST_REQUIRE(plans.size() == 2u);  // the two ports of web
  BOOST_TEST(plans[0].port_name == "http");
  BOOST_TEST(plans[0].endpoints.size() == 2u);
  BOOST_TEST(plans[0].endpoints[0].first == "10.1.0.3");
  BOOST_TEST(plans[0].endpoints[0].second == 8080);
  BOOST_TEST(plans[0].node_port == 0);  // ClusterIP: the nodePort field is not used
  BOOST_TEST(plans[1].endpoints.empty());
}

BOOST_AUTO_TEST_CASE(
    endpoints_are_balanced_with_kubernetes_probabilities_and_nodeports_masquerade) {
  auto plans =
      plan_services({web("NodePort")}, {web_endpoints({"10.1.0.2", "10.1.0.3", "10.1.1.2"})});
  auto rules = nat_rules(plans, {});
  BOOST_TEST(count(rules, "--probability 0.3333333333") == 1u);
  BOOST_TEST(count(rules, "--probability 0.5000000000") == 1u);
  BOOST_TEST(count(rules, "-j DNAT --to-destination ") == 3u);
  BOOST_TEST(count(rules, "--dport 30080 -j CAPSTAN-MARK-MASQ") == 1u);
  BOOST_TEST(count(rules, "--dport 30081") == 0u);  // no endpoints: no nat rules, but
  BOOST_TEST(count(rules, "-d 10.254.0.5/32 -p tcp --dport 9100 -j REJECT") == 1u);  // a REJECT
  BOOST_TEST(count(rules, "-d 10.254.0.5/32 -p tcp --dport 80 -j " + service_chain(plans[0])) ==
             1u);
  BOOST_TEST(count(rules, "COMMIT\n") == 2u);  // nat, then filter
  BOOST_TEST(count(rules, "-j REJECT") == 1u);
}

BOOST_AUTO_TEST_CASE(chains_of_services_that_are_gone_are_flushed_then_deleted) {
  auto save =
      ":CAPSTAN-SERVICES - [0:0]\n:CAPSTAN-SVC-OLD - [0:0]\n:CAPSTAN-SEP-OLD - [0:0]\n"
      ":CAPSTAN-POD-EGRESS - [0:0]\n:KUBE-OTHER - [0:0]\n";
  auto existing = capstan_chains(save);
  BOOST_TEST((existing == std::set<std::string>{"CAPSTAN-SEP-OLD", "CAPSTAN-SVC-OLD"}));
  auto rules = nat_rules({}, existing);
  BOOST_TEST(count(rules, ":CAPSTAN-SVC-OLD - [0:0]") == 1u);
  BOOST_TEST(count(rules, "-X CAPSTAN-SVC-OLD") == 1u);
  BOOST_TEST(rules.find("-X CAPSTAN-SVC-OLD") > rules.find("-A CAPSTAN-SERVICES"));
  BOOST_TEST(count(rules, "-X CAPSTAN-SEP-OLD") == 1u);
  BOOST_TEST(count(rules, "KUBE-OTHER") == 0u);  // never touches chains that are not capstan's
  // nor the pod network's masquerade chain (deleting it would fail the whole restore)
  BOOST_TEST(count(rules, "CAPSTAN-POD-EGRESS") == 0u);
}

BOOST_AUTO_TEST_CASE(userspace_rules_redirect_portals_and_nodeports_to_the_local_port) {
  auto plans = plan_services({web("NodePort")}, {web_endpoints({"10.1.0.2"})});
  auto rules = userspace_rules(plans, {{relay_key(plans[0]), 41000}});
  BOOST_TEST(count(rules, "-A KUBE-PORTALS-CONTAINER") == 1u);
  BOOST_TEST(count(rules, "-A KUBE-PORTALS-HOST") == 1u);
  BOOST_TEST(count(rules, "-A KUBE-NODEPORT-CONTAINER") == 1u);
  BOOST_TEST(count(rules, "--dport 30080 -j REDIRECT --to-ports 41000") == 2u);
  BOOST_TEST(count(rules, "-d 10.254.0.5/32 -p tcp --dport 80 -j REDIRECT --to-ports 41000") == 2u);
}
