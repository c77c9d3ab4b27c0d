// Tests nodeagent/pod_network.cpp against a recording host: the exact iproute2 commands, in
// order, that build the bridge, attach and detach a pod (with the neighbour entry forgotten
// before the pod's eth0 announces itself), route to peers and masquerade what leaves the pod
// networks; in mode vxlan, peers on the overlay and pods with its MTU, and back to routes; an
// overlay that fails is retried without plain routes meanwhile; settings that are not valid
// change nothing; which failures stop it; and how pod addresses are handed out.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "nodeagent/pod_network.hpp"
#include "tests/nodeagent/recording_host.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

using test::command;

// A lab node: it lists eth0 at 192.168.77.11 (MTU 1500) for the overlay.
struct recording_host : test::recording_host {
  recording_host() { answers = test::lab_node_listings(); }
};

const pod_endpoint web{"cp-0123456789ab", "vp0123456789ab", "10.244.1.2"};

const std::vector<command> attach_commands = {
    {"ip", "netns", "del", "cp-0123456789ab"},
    {"ip", "netns", "add", "cp-0123456789ab"},
    {"ip", "link", "add", "vp0123456789ab", "type", "veth", "peer", "name", "eth0", "netns",
     "cp-0123456789ab"},
    {"ip", "link", "set", "vp0123456789ab", "master", "cbr0", "up"},
    {"bridge", "link", "set", "dev", "vp0123456789ab", "hairpin", "on"},
    {"ip", "-n", "cp-0123456789ab", "addr", "add", "10.244.1.2/24", "dev", "eth0"},
    {"ip", "neigh", "del", "10.244.1.2", "dev", "cbr0"},
    {"ip", "netns", "exec", "cp-0123456789ab", "sysctl", "-qw", "net.ipv4.conf.eth0.arp_notify=1"},
    {"ip", "-n", "cp-0123456789ab", "link", "set", "eth0", "up"},
    {"ip", "-n", "cp-0123456789ab", "link", "set", "lo", "up"},
    {"ip", "-n", "cp-0123456789ab", "route", "add", "default", "via", "10.244.1.1"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_bridge_holds_the_gateway_and_the_node_forwards) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  BOOST_TEST((host.commands == std::vector<command>{
                                   {"ip", "link", "add", "cbr0", "type", "bridge"},
                                   {"ip", "link", "set", "cbr0", "address", "02:ca:0a:f4:01:01"},
                                   {"ip", "addr", "replace", "10.244.1.1/24", "dev", "cbr0"},
                                   {"ip", "link", "set", "cbr0", "up"},
                                   {"iptables", "-w", "-t", "nat", "-N", "CAPSTAN-POD-EGRESS"},
                                   {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-POD-EGRESS"},
                                   {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-POD-EGRESS",
                                    "-d", "10.244.1.0/24", "-j", "RETURN"},
                                   {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-POD-EGRESS",
                                    "-j", "MASQUERADE"},
                                   {"iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-s",
                                    "10.244.1.0/24", "-j", "CAPSTAN-POD-EGRESS"},
                               }));
  BOOST_TEST(host.files["/proc/sys/net/ipv4/ip_forward"] == "1");
}

// Pods reach hosts outside the pod networks (the API, a registry) with the node's address:
// those hosts have no route back to pod addresses. Pod-to-pod traffic keeps its source.
BOOST_AUTO_TEST_CASE(traffic_leaving_the_pod_networks_is_masqueraded_and_the_hook_added_once) {
  recording_host host;
  const command check_hook = {"iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-s",
                              "10.244.1.0/24", "-j", "CAPSTAN-POD-EGRESS"};
  host.failing = {check_hook};  // not hooked yet
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  BOOST_TEST((host.commands.back() == command{"iptables", "-w", "-t", "nat", "-A", "POSTROUTING",
                                              "-s", "10.244.1.0/24", "-j", "CAPSTAN-POD-EGRESS"}));
  host.failing.clear();
  host.commands.clear();
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"}});
  BOOST_TEST((host.commands == std::vector<command>{
                                   {"ip", "route", "replace", "10.244.2.0/24", "via",
                                    "192.168.77.12"},
                                   {"iptables", "-w", "-t", "nat", "-N", "CAPSTAN-POD-EGRESS"},
                                   {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-POD-EGRESS"},
                                   {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-POD-EGRESS",
                                    "-d", "10.244.1.0/24", "-j", "RETURN"},
                                   {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-POD-EGRESS",
                                    "-d", "10.244.2.0/24", "-j", "RETURN"},
                                   {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-POD-EGRESS",
                                    "-j", "MASQUERADE"},
                                   check_hook,
                               }));
  host.commands.clear();
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"}});  // no change: routes only
  BOOST_TEST(host.commands.size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_existing_bridge_is_kept_but_a_failed_address_stops_the_setup) {
  recording_host host;
  host.failing = {{"ip", "link", "add", "cbr0", "type", "bridge"}};
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");  // cbr0 is there already (agent restart)
  BOOST_TEST(host.commands.size() == 9u);  // the bridge's 4 and the masquerade's 5

  recording_host broken;
  broken.failing = {{"ip", "addr", "replace", "10.244.1.1/24", "dev", "cbr0"}};
  pod_network other(broken.actions());
  BOOST_CHECK_EXCEPTION(other.set_up_bridge("10.244.1.0/24"), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()) ==
                                 "ip addr replace 10.244.1.1/24 dev cbr0: RTNETLINK answers: File "
                                 "exists\n";
                        });
  BOOST_TEST(broken.commands.size() == 3u);
  BOOST_TEST(broken.files.empty());
}

BOOST_AUTO_TEST_CASE(a_node_without_a_pod_cidr_has_no_bridge_and_no_addresses) {
  recording_host host;
  pod_network network(host.actions());
  BOOST_CHECK_THROW(network.set_up_bridge(""), std::runtime_error);
  BOOST_TEST(host.commands.empty());
  BOOST_CHECK_THROW(network.free_address({}), std::runtime_error);
  BOOST_CHECK_THROW(network.attach(web), std::runtime_error);
  BOOST_TEST(host.commands.empty());
}

BOOST_AUTO_TEST_CASE(a_pod_is_attached_with_its_old_neighbour_entry_forgotten_before_eth0_is_up) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  host.commands.clear();
  network.attach(web);
  BOOST_TEST((host.commands == attach_commands));
}

BOOST_AUTO_TEST_CASE(optional_steps_may_fail_but_a_failed_namespace_stops_the_attach) {
  recording_host host;
  host.failing = {attach_commands[0], attach_commands[4], attach_commands[6], attach_commands[7]};
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  host.commands.clear();
  network.attach(web);  // no stale namespace, no hairpin, no old neighbour, no arp_notify
  BOOST_TEST((host.commands == attach_commands));

  host.failing = {attach_commands[1]};
  host.commands.clear();
  BOOST_CHECK_THROW(network.attach(web), std::runtime_error);
  BOOST_TEST(host.commands.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_detached_pod_leaves_no_namespace_veth_or_neighbour_entry) {
  recording_host host;
  host.failing = {{"ip", "netns", "del", "cp-0123456789ab"}};  // already gone: not an error
  pod_network network(host.actions());
  network.detach(web);
  BOOST_TEST((host.commands == std::vector<command>{
                                   {"ip", "netns", "del", "cp-0123456789ab"},
                                   {"ip", "link", "del", "vp0123456789ab"},
                                   {"ip", "neigh", "del", "10.244.1.2", "dev", "cbr0"},
                               }));
  host.commands.clear();
  network.detach({"cp-x", "vpx", ""});  // never had an address: no neighbour to forget
  BOOST_TEST(host.commands.size() == 2u);
}

BOOST_AUTO_TEST_CASE(routes_follow_the_peers_and_stale_ones_are_deleted) {
  recording_host host;
  pod_network network(host.actions());
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"},
                    {"node3", "10.244.3.0/24", "192.168.77.13"},
                    {"node4", "", "192.168.77.14"},
                    {"node5", "10.244.5.0/24", ""}});
  BOOST_TEST(
      (host.commands == std::vector<command>{
                            {"ip", "route", "replace", "10.244.2.0/24", "via", "192.168.77.12"},
                            {"ip", "route", "replace", "10.244.3.0/24", "via", "192.168.77.13"},
                        }));
  host.commands.clear();
  network.route_to({{"node3", "10.244.3.0/24", "192.168.77.13"}});
  BOOST_TEST(
      (host.commands == std::vector<command>{
                            {"ip", "route", "replace", "10.244.3.0/24", "via", "192.168.77.13"},
                            {"ip", "route", "del", "10.244.2.0/24"},
                        }));
}

BOOST_AUTO_TEST_CASE(addresses_skip_the_gateway_used_ones_and_the_broadcast) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/30");  // .0 network, .1 gateway, .2 the one pod, .3 broadcast
  BOOST_TEST(network.free_address({}) == "10.244.1.2");
  BOOST_TEST(network.free_address({"", "10.244.1.7"}) == "10.244.1.2");
  BOOST_CHECK_EXCEPTION(network.free_address({"10.244.1.2"}), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()) == "the pod network 10.244.1.0/30 is full";
                        });
}

BOOST_AUTO_TEST_CASE(the_vxlan_mode_carries_peers_on_the_overlay_and_lowers_the_pods_mtu) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"}});
  BOOST_TEST(network.pod_mtu() == 0);
  host.commands.clear();
  network.use({"vxlan", 1, 8472}, "192.168.77.11");
  BOOST_TEST(network.pod_mtu() == 1450);
  auto ran = [&](const command& c) {
    return std::find(host.commands.begin(), host.commands.end(), c) != host.commands.end();
  };
  auto at = [&](const command& c) {
    return std::find(host.commands.begin(), host.commands.end(), c) - host.commands.begin();
  };
  BOOST_TEST(ran({"ip", "link", "set", "cbr0", "mtu", "1450"}));
  command plain_del = {"ip", "route", "del", "10.244.2.0/24"};
  command overlay_route = {"ip",     "route", "replace",       "10.244.2.0/24", "via",
                           "10.244.2.0", "dev", "capstan.vxlan", "onlink"};
  BOOST_TEST(ran(plain_del));
  BOOST_TEST(ran(overlay_route));
  BOOST_TEST(at(plain_del) < at(overlay_route));  // the plain route goes first
  BOOST_TEST(!ran({"ip", "route", "replace", "10.244.2.0/24", "via", "192.168.77.12"}));

  host.commands.clear();
  network.use({"vxlan", 1, 8472}, "192.168.77.11");  // unchanged: the device is kept
  BOOST_TEST(!ran({"ip", "link", "del", "capstan.vxlan"}));

  host.commands.clear();
  network.attach(web);
  BOOST_TEST((host.commands[2] == command{"ip", "link", "add", "vp0123456789ab", "mtu", "1450",
                                          "type", "veth", "peer", "name", "eth0", "mtu", "1450",
                                          "netns", "cp-0123456789ab"}));

  host.commands.clear();
  network.use({"routes", 0, 0}, "192.168.77.11");
  BOOST_TEST(network.pod_mtu() == 0);
  BOOST_TEST(ran({"ip", "link", "del", "capstan.vxlan"}));
  BOOST_TEST(ran({"ip", "route", "replace", "10.244.2.0/24", "via", "192.168.77.12"}));
}

BOOST_AUTO_TEST_CASE(an_overlay_that_cannot_be_set_up_gets_no_plain_routes_and_is_retried) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"}});
  auto listings = host.answers;
  host.answers.clear();  // no interface holds the address
  host.commands.clear();
  BOOST_CHECK_THROW(network.use({"vxlan", 1, 8472}, "192.168.77.11"), std::runtime_error);
  BOOST_TEST(network.pod_mtu() == 0);
  auto ran = [&](const command& c) {
    return std::find(host.commands.begin(), host.commands.end(), c) != host.commands.end();
  };
  BOOST_TEST(ran({"ip", "route", "del", "10.244.2.0/24"}));  // the cluster is vxlan: no routes
  host.commands.clear();
  network.route_to({{"node2", "10.244.2.0/24", "192.168.77.12"}});
  BOOST_TEST(!ran({"ip", "route", "replace", "10.244.2.0/24", "via", "192.168.77.12"}));

  host.answers = listings;  // the interface is there now
  network.resync();
  BOOST_TEST(network.pod_mtu() == 1450);
  BOOST_TEST(ran({"ip", "route", "replace", "10.244.2.0/24", "via", "10.244.2.0", "dev",
                  "capstan.vxlan", "onlink"}));
}

BOOST_AUTO_TEST_CASE(settings_that_are_not_valid_change_nothing) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  network.use({"vxlan", 1, 8472}, "192.168.77.11");
  host.commands.clear();
  for (const messages::pod_network_settings& bad :
       std::vector<messages::pod_network_settings>{{"VXLAN", 1, 8472},
                                                   {"bogus", 0, 0},
                                                   {"vxlan", 0, 8472},
                                                   {"vxlan", 1u << 24, 8472},
                                                   {"vxlan", 1, 0},
                                                   {"vxlan", 1, 65536}})
    BOOST_CHECK_THROW(network.use(bad, "192.168.77.11"), std::invalid_argument);
  BOOST_TEST(host.commands.empty());
  BOOST_TEST(network.pod_mtu() == 1450);
}

BOOST_AUTO_TEST_CASE(the_routes_mode_removes_what_a_killed_agent_left) {
  recording_host host;
  pod_network network(host.actions());
  network.set_up_bridge("10.244.1.0/24");
  host.commands.clear();
  network.use({"", 0, 0}, "192.168.77.11");  // a master that predates modes: routes
  BOOST_TEST((host.commands ==
              std::vector<command>{{"ip", "link", "del", "capstan.vxlan"},
                                   {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-OVERLAY"}}));
}
