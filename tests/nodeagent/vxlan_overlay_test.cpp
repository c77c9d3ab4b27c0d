// Tests nodeagent/vxlan_overlay.cpp against a recording host that answers iproute2's listings:
// the device is bound to the interface holding the node's address with the cluster's VNI and
// port, its MAC and address derived from the pod CIDR, the node's own sources masqueraded into
// it once, pods get the underlying MTU minus 50; each peer gets a neighbour, a forwarding entry
// to its address and a route; peers that leave or move are removed or repointed; nothing is
// run twice for an unchanged peer.
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>
#include <vector>

#include "nodeagent/vxlan_overlay.hpp"
#include "tests/nodeagent/recording_host.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

using test::command;

using test::recording_host;
const command& list_address = test::list_lab_address;
const command& list_uplink = test::list_lab_uplink;

recording_host lab_host() {
  recording_host host;
  host.answers = test::lab_node_listings();
  return host;
}

const common::ipv4_cidr node1_pods = *common::ipv4_cidr::parse("10.1.1.0/24");

// The node's own (non-pod) sources entering the overlay take the VTEP address: its chain,
// rewritten, and the hook (checked, then added when missing).
const std::vector<command> masquerade = {
    {"iptables", "-w", "-t", "nat", "-N", "CAPSTAN-OVERLAY"},
    {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-OVERLAY"},
    {"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-OVERLAY", "-o", "capstan.vxlan", "!", "-s",
     "10.1.1.0/24", "-j", "MASQUERADE"},
    {"iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-j", "CAPSTAN-OVERLAY"}};
const command add_hook = {"iptables", "-w", "-t", "nat", "-A", "POSTROUTING", "-j",
                          "CAPSTAN-OVERLAY"};
const command flush_chain = {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-OVERLAY"};

std::vector<command> peer_commands(const std::string& cidr, const std::string& vtep,
                                   const std::string& mac, const std::string& address) {
  return {{"ip", "neigh", "replace", vtep, "lladdr", mac, "dev", "capstan.vxlan", "nud",
           "permanent"},
          {"bridge", "fdb", "replace", mac, "dev", "capstan.vxlan", "dst", address, "self",
           "permanent"},
          {"ip", "route", "replace", cidr, "via", vtep, "dev", "capstan.vxlan", "onlink"}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(vtep_macs_are_locally_administered_and_carry_the_pod_network) {
  BOOST_TEST(vtep_mac(node1_pods.network) == "02:cb:0a:01:01:00");
  BOOST_TEST(vtep_mac(0xc0a8ff00u) == "02:cb:c0:a8:ff:00");
}

BOOST_AUTO_TEST_CASE(the_device_rides_on_the_interface_holding_the_node_address) {
  auto host = lab_host();
  vxlan_overlay overlay(host.actions());
  BOOST_TEST(!overlay.up());
  int mtu = overlay.set_up(node1_pods, "192.168.77.11", 7, 4789);
  BOOST_TEST(mtu == 1450);
  BOOST_TEST(overlay.up());
  auto expected = std::vector<command>{
      list_address,
      list_uplink,
      {"ip", "link", "del", "capstan.vxlan"},
      flush_chain,
      {"ip", "link", "add", "capstan.vxlan", "type", "vxlan", "id", "7", "local", "192.168.77.11",
       "dev", "eth0", "dstport", "4789", "nolearning"},
      {"ip", "link", "set", "capstan.vxlan", "address", "02:cb:0a:01:01:00", "mtu", "1450"},
      {"ip", "addr", "replace", "10.1.1.0/32", "dev", "capstan.vxlan"},
      {"ip", "link", "set", "capstan.vxlan", "up"}};
  expected.insert(expected.end(), masquerade.begin(), masquerade.end());  // hooked already
  BOOST_TEST((host.commands == expected));
  host.commands.clear();
  host.failing.push_back(masquerade.back());
  overlay.set_up(node1_pods, "192.168.77.11", 7, 4789);
  BOOST_TEST((host.commands.back() == add_hook));
}

BOOST_AUTO_TEST_CASE(no_interface_with_the_address_or_a_failed_command_is_an_error) {
  recording_host nothing;  // lists no interface for the address
  vxlan_overlay a(nothing.actions());
  BOOST_CHECK_THROW(a.set_up(node1_pods, "192.168.77.11", 1, 8472), std::runtime_error);
  BOOST_TEST(!a.up());
  for (const char* address : {"not-an-address", "127.0.0.1", "0.0.0.0", "224.0.0.5"})
    BOOST_CHECK_THROW(a.set_up(node1_pods, address, 1, 8472), std::runtime_error);
  auto fine = lab_host();
  vxlan_overlay d(fine.actions());
  for (auto [vni, port] : {std::pair{0u, 8472u}, {1u << 24, 8472u}, {1u, 0u}, {1u, 65536u}})
    BOOST_CHECK_THROW(d.set_up(node1_pods, "192.168.77.11", vni, port), std::runtime_error);
  BOOST_TEST(fine.commands.empty());  // refused before anything ran

  auto host = lab_host();
  host.failing.push_back({"ip", "link", "add", "capstan.vxlan", "type", "vxlan", "id", "1",
                          "local", "192.168.77.11", "dev", "eth0", "dstport", "8472",
                          "nolearning"});
  vxlan_overlay b(host.actions());
  BOOST_CHECK_THROW(b.set_up(node1_pods, "192.168.77.11", 1, 8472), std::runtime_error);
  BOOST_TEST(!b.up());

  auto tiny = lab_host();
  tiny.answers[list_uplink] = "2: eth0: <UP> mtu 600 qdisc noqueue\n";
  vxlan_overlay c(tiny.actions());
  BOOST_CHECK_THROW(c.set_up(node1_pods, "192.168.77.11", 1, 8472), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(peers_get_a_neighbour_a_forwarding_entry_and_a_route) {
  auto host = lab_host();
  vxlan_overlay overlay(host.actions());
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"}});
  BOOST_TEST(host.commands.empty());  // not up: nothing to connect
  overlay.set_up(node1_pods, "192.168.77.11", 1, 8472);
  host.commands.clear();
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"},
                   {"node3", "10.1.3.0/24", "192.168.77.13"},
                   {"node4", "", "192.168.77.14"},
                   {"node5", "10.1.5.0/24", ""},
                   {"node6", "10.1.6.0/24", "192.168.77.999"}});
  auto expected = peer_commands("10.1.2.0/24", "10.1.2.0", "02:cb:0a:01:02:00", "192.168.78.12");
  auto node3 = peer_commands("10.1.3.0/24", "10.1.3.0", "02:cb:0a:01:03:00", "192.168.77.13");
  expected.insert(expected.end(), node3.begin(), node3.end());
  BOOST_TEST((host.commands == expected));

  host.commands.clear();
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"},
                   {"node3", "10.1.3.0/24", "192.168.77.13"}});
  BOOST_TEST(host.commands.empty());  // unchanged peers: nothing run
}

BOOST_AUTO_TEST_CASE(a_peer_that_leaves_is_removed_and_one_that_moves_is_repointed) {
  auto host = lab_host();
  vxlan_overlay overlay(host.actions());
  overlay.set_up(node1_pods, "192.168.77.11", 1, 8472);
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"},
                   {"node3", "10.1.3.0/24", "192.168.77.13"}});
  host.commands.clear();
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.22"}});
  auto expected = std::vector<command>{
      {"ip", "route", "del", "10.1.3.0/24", "dev", "capstan.vxlan"},
      {"ip", "neigh", "del", "10.1.3.0", "dev", "capstan.vxlan"},
      {"bridge", "fdb", "del", "02:cb:0a:01:03:00", "dev", "capstan.vxlan", "self"}};
  auto moved = peer_commands("10.1.2.0/24", "10.1.2.0", "02:cb:0a:01:02:00", "192.168.78.22");
  expected.insert(expected.end(), moved.begin(), moved.end());
  BOOST_TEST((host.commands == expected));
}

BOOST_AUTO_TEST_CASE(a_failed_entry_is_tried_again_and_tear_down_forgets_every_peer) {
  auto host = lab_host();
  vxlan_overlay overlay(host.actions());
  overlay.set_up(node1_pods, "192.168.77.11", 1, 8472);
  auto node2 = peer_commands("10.1.2.0/24", "10.1.2.0", "02:cb:0a:01:02:00", "192.168.78.12");
  host.failing.push_back(node2[1]);
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"}});
  host.failing.clear();
  host.commands.clear();
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"}});
  BOOST_TEST((host.commands == node2));

  auto node3 = peer_commands("10.1.3.0/24", "10.1.3.0", "02:cb:0a:01:03:00", "192.168.77.13");
  host.failing.push_back(node3[2]);  // node3's route fails: its neighbour and fdb entry are there
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"},
                   {"node3", "10.1.3.0/24", "192.168.77.13"}});
  host.commands.clear();
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"}});  // node3 leaves half-added
  BOOST_TEST((host.commands ==
              std::vector<command>{
                  {"ip", "route", "del", "10.1.3.0/24", "dev", "capstan.vxlan"},
                  {"ip", "neigh", "del", "10.1.3.0", "dev", "capstan.vxlan"},
                  {"bridge", "fdb", "del", "02:cb:0a:01:03:00", "dev", "capstan.vxlan", "self"}}));

  host.commands.clear();
  overlay.tear_down();
  BOOST_TEST((host.commands ==
              std::vector<command>{{"ip", "link", "del", "capstan.vxlan"}, flush_chain}));
  BOOST_TEST(!overlay.up());
  overlay.connect({{"node2", "10.1.2.0/24", "192.168.78.12"}});
  BOOST_TEST(host.commands.size() == 2u);  // down: nothing added
}

BOOST_AUTO_TEST_CASE(peers_that_could_harm_the_node_are_skipped) {
  auto host = lab_host();
  vxlan_overlay overlay(host.actions());
  overlay.set_up(node1_pods, "192.168.77.11", 1, 8472);
  host.commands.clear();
  overlay.connect({{"own CIDR", "10.1.1.0/24", "192.168.77.12"},
                   {"overlapping", "10.1.0.0/16", "192.168.77.12"},
                   {"everything", "0.0.0.0/0", "192.168.77.12"},
                   {"other size", "10.2.0.0/23", "192.168.77.12"},
                   {"own address", "10.1.4.0/24", "192.168.77.11"},
                   {"loopback", "10.1.5.0/24", "127.0.0.1"},
                   {"multicast", "10.1.6.0/24", "239.1.1.1"},
                   {"inside its CIDR", "10.1.7.0/24", "10.1.7.9"}});
  BOOST_TEST(host.commands.empty());
}
