// The node's end of capstan's VXLAN overlay, as flannel's vxlan backend builds it: one VXLAN
// device (overlay_device) bound to the interface that holds the node's address, whose own
// address is the network address of the node's pod CIDR (its VTEP) and whose MAC is derived
// from that address (vtep_mac), so every node knows every other node's MAC from the node list
// alone. For each other node: a route to its pod CIDR via its VTEP address on the device
// (onlink), a permanent neighbour entry giving that address the node's VTEP MAC, and a
// forwarding-database entry sending that MAC to the node's own address. Pod packets between
// nodes then travel inside UDP between the nodes' addresses (port `vxlan_port`), keeping their
// source addresses, across any network that carries the nodes' own traffic. What the node
// itself sends into the overlay from a non-pod address (its own address, when a ClusterIP
// was DNATed to another node's pod after the source was chosen) is masqueraded to the VTEP
// address, so that the reply comes back through the overlay rather than by the underlying
// network, which may drop pod sources (flannel masquerades non-pod sources to pods alike).
//
// Every change goes through host_actions (iproute2, bridge, and iptables for the masquerade in
// its own nat chain CAPSTAN-OVERLAY), in the node's own network namespace; nothing else is
// touched. Peers that could harm the node (a pod CIDR overlapping its own or of another size,
// an address that is not another host's unicast address) are skipped. Thread-safety: none
// (runc_runtime's thread only).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/ipv4.hpp"
#include "nodeagent/host_actions.hpp"
#include "nodeagent/pod_runtime.hpp"

namespace capstan::nodeagent {

inline constexpr const char* overlay_device = "capstan.vxlan";
// Outer IPv4 (20), UDP (8), VXLAN (8) and inner Ethernet (14) headers: what pod interfaces
// give up of the underlying interface's MTU.
inline constexpr int vxlan_overhead = 50;

// The VTEP MAC of the node whose pod CIDR starts at `pod_network`: locally administered (02:),
// "cb", then the address's four bytes (bridge_mac's scheme with another second byte).
std::string vtep_mac(uint32_t pod_network);

class vxlan_overlay {
public:
  explicit vxlan_overlay(host_actions host);

  // (Re)creates the device for a node whose pod CIDR is `pod_cidr` and whose address is
  // `node_address` (an address of one of its interfaces, which carries the overlay), with VNI
  // `vni` and UDP port `port`, and brings it up; entries of earlier peers are gone with the old
  // device (connect adds them again). Returns the MTU pods get: the underlying interface's
  // minus vxlan_overhead. Throws std::runtime_error when `vni` or `port` is out of range,
  // `node_address` is not a unicast address outside 127.0.0.0/8, no interface holds it, or
  // an iproute2 command fails (the masquerade is best effort, as a node may lack iptables).
  int set_up(const common::ipv4_cidr& pod_cidr, const std::string& node_address, uint32_t vni,
             uint32_t port);

  // Makes the entries match `peers`: added or replaced for new peers and peers whose address
  // changed, removed for peers no longer listed (and their pod CIDRs' routes). Peers without a
  // CIDR or an address, and harmful ones (above), are skipped. Nothing when the device is not
  // up; a peer whose entries could not all be added is tried again at the next call (and what
  // was added of it is removed if it leaves).
  void connect(const std::vector<peer_node>& peers);

  // Deletes the device, and with it every route, neighbour and forwarding entry on it, and
  // its masquerade rule. Never fails: what is missing is skipped.
  void tear_down();

  bool up() const { return up_; }

private:
  struct peer_entry {
    std::string vtep, mac, address;
    bool complete = false;  // all three entries were added
    bool same_as(const peer_entry& o) const {
      return vtep == o.vtep && mac == o.mac && address == o.address;
    }
  };
  // Whether a peer with that pod CIDR and address may be connected.
  bool acceptable(const common::ipv4_cidr& cidr, uint32_t address) const;
  bool add(const std::string& pod_cidr, const peer_entry& peer);
  void remove(const std::string& pod_cidr, const peer_entry& peer);
  // Rewrites CAPSTAN-OVERLAY (the node's own sources entering the overlay are masqueraded) and
  // hooks it once in nat POSTROUTING; best effort.
  void masquerade_own_sources(const common::ipv4_cidr& pod_cidr);

  host_actions host_;
  bool up_ = false;
  common::ipv4_cidr pod_cidr_;  // the node's, while the device is up
  uint32_t local_address_ = 0;  // the node's, while the device is up
  std::map<std::string, peer_entry> peers_;  // by pod CIDR, as the device holds them
};

}  // namespace capstan::nodeagent
