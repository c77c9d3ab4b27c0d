// Tests nodeagent/pod_dns.cpp: resolv.conf by dnsPolicy as the kubelet writes it (ClusterFirst,
// its fallback without a cluster DNS or on the host network, ClusterFirstWithHostNet, Default,
// None, dnsConfig merged), and /etc/hosts with the pod's names.
#include <boost/test/unit_test.hpp>

#include "nodeagent/pod_dns.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

const std::string node_conf =
    "# the node's\nnameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\n"
    "options timeout:2 rotate\n";
const cluster_dns_settings cluster{"10.254.0.10", "cluster.local"};

messages::pod pod_in(std::string ns, std::string policy = "ClusterFirst") {
  messages::pod p;
  p.metadata.namespace_ = std::move(ns);
  p.metadata.name = "web-1";
  p.spec.dns_policy = std::move(policy);
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cluster_first_names_the_cluster_dns_and_searches_the_namespace_first) {
  BOOST_TEST(pod_resolv_conf(pod_in("team-a"), cluster, node_conf) ==
             "nameserver 10.254.0.10\n"
             "search team-a.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
             "options ndots:5\n");
  // The default policy is ClusterFirst.
  BOOST_TEST(pod_resolv_conf(pod_in("team-a", ""), cluster, node_conf) ==
             pod_resolv_conf(pod_in("team-a"), cluster, node_conf));
}

BOOST_AUTO_TEST_CASE(default_and_the_fallbacks_use_the_nodes_resolvers) {
  const std::string nodes = "nameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example\n"
                            "options timeout:2 rotate\n";
  BOOST_TEST(pod_resolv_conf(pod_in("a", "Default"), cluster, node_conf) == nodes);
  BOOST_TEST(pod_resolv_conf(pod_in("a"), {"", "cluster.local"}, node_conf) == nodes);
  auto host = pod_in("a");
  host.spec.host_network = true;
  BOOST_TEST(pod_resolv_conf(host, cluster, node_conf) == nodes);
  host.spec.dns_policy = "ClusterFirstWithHostNet";
  BOOST_TEST(pod_resolv_conf(host, cluster, node_conf).rfind("nameserver 10.254.0.10\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(none_takes_only_dns_config_and_the_others_merge_it) {
  auto p = pod_in("a", "None");
  p.spec.dns_config = messages::pod_dns_config{{"1.1.1.1"}, {"x.example"}, {{"ndots", "2"}, {"edns0", ""}}};
  BOOST_TEST(pod_resolv_conf(p, cluster, node_conf) ==
             "nameserver 1.1.1.1\nsearch x.example\noptions ndots:2 edns0\n");
  p.spec.dns_policy = "ClusterFirst";
  p.spec.dns_config->nameservers = {"10.254.0.10", "1.1.1.1", "8.8.8.8", "9.9.9.9"};
  BOOST_TEST(pod_resolv_conf(p, cluster, node_conf) ==
             "nameserver 10.254.0.10\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n"
             "search a.svc.cluster.local svc.cluster.local cluster.local corp.example x.example\n"
             "options ndots:2 edns0\n");
  // Nothing at all: an empty file.
  BOOST_TEST(pod_resolv_conf(pod_in("a", "None"), cluster, node_conf) == "");
}

BOOST_AUTO_TEST_CASE(the_hosts_file_names_localhost_and_the_pod) {
  auto p = pod_in("team-a");
  auto hosts = pod_hosts_file(p, "10.1.0.5", "cluster.local");
  BOOST_TEST(hosts.rfind("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n", 0) == 0u);
  BOOST_TEST(hosts.find("\n10.1.0.5\tweb-1\n") != std::string::npos);
  p.spec.hostname = "db-0";
  p.spec.subdomain = "db";
  BOOST_TEST(pod_hosts_file(p, "10.1.0.5", "cluster.local").find(
                 "\n10.1.0.5\tdb-0.db.team-a.svc.cluster.local\tdb-0\n") != std::string::npos);
  BOOST_TEST(pod_hosts_file(p, "", "cluster.local").find("db-0") == std::string::npos);
}
