// The node's pod network as runc_runtime builds it with iproute2: the cbr0 bridge holding the
// gateway of the node's pod CIDR, one network namespace per pod joined to cbr0 by a veth pair,
// the node's neighbour (ARP) entries for pod addresses, the way to other nodes' pods (mode
// "routes": a route to each one's pod CIDR via its address; mode "vxlan": the overlay of
// vxlan_overlay.hpp, pod interfaces' MTU lowered by its overhead), and the masquerade of what
// pods send outside the pod networks (to the API through the `kubernetes` Service, a
// registry, the world): those hosts have no route back to pod addresses, so pods reach them
// with the node's address, as CNI's bridge plugin (ipMasq) does.
// Traffic between pods keeps its source address.
//
// Every change to the host goes through `host_actions` (host_actions.hpp).
//
// Thread-safety: none; runc_runtime calls it from its own thread only.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/ipv4.hpp"
#include "messages/node_protocol.hpp"
#include "nodeagent/host_actions.hpp"
#include "nodeagent/pod_runtime.hpp"
#include "nodeagent/vxlan_overlay.hpp"

namespace capstan::nodeagent {

// One pod's end of the network. `netns` is a name under /run/netns; `veth` is the node-side
// end of the pod's veth pair (the pod side is eth0 in `netns`); `ip` is the pod's address in
// the node's pod CIDR ("" while it has none).
struct pod_endpoint {
  std::string netns, veth, ip;
};

// The MAC cbr0 is given: locally administered (02:), "ca", then the gateway's four bytes, so it
// never changes on a node and differs between nodes.
std::string bridge_mac(uint32_t gateway);

class pod_network {
public:
  explicit pod_network(host_actions host);

  // Creates cbr0 if it is missing, gives it a fixed MAC (bridge_mac of the gateway) and the
  // gateway (the first address of `pod_cidr`), brings it up, turns on IPv4 forwarding and
  // masquerades pod traffic leaving the pod networks (nat chain CAPSTAN-POD-EGRESS, hooked in
  // POSTROUTING for sources in `pod_cidr`). Repeating it is harmless. Throws std::runtime_error when `pod_cidr` is not a CIDR or a
  // required command fails.
  void set_up_bridge(const std::string& pod_cidr);

  // The lowest address of the pod CIDR that is neither the network, the gateway, the broadcast
  // address nor in `used`. Throws std::runtime_error when there is none, or before
  // set_up_bridge succeeded.
  std::string free_address(const std::set<std::string>& used) const;

  // Creates the pod's namespace (replacing a stale one of the same name) with eth0 at `pod.ip`,
  // the node-side veth on cbr0 and a default route through the gateway. The node forgets its
  // neighbour entry for `pod.ip` first, and the pod sends a gratuitous ARP as eth0 comes up: the
  // address may have belonged to another pod with another MAC. Throws std::runtime_error when a
  // required command fails (what was done stays; calling it again starts over).
  void attach(const pod_endpoint& pod);

  // Deletes the pod's namespace and veth and the node's neighbour entry for its address.
  // Never fails: what is already gone is skipped.
  void detach(const pod_endpoint& pod);

  // Takes the cluster's pod network mode (after set_up_bridge). Settings that are not valid
  // (a mode other than vxlan, routes or "" — a master that predates modes, meaning routes — or
  // a VNI or port out of range) throw std::invalid_argument and change nothing. "vxlan" sets up
  // the overlay on the interface holding `node_address` (again only when the settings
  // changed) and gives pods attached from now on its MTU; "routes" removes any overlay (also
  // one a killed agent left). The peers last given to route_to are then connected the new way.
  // Throws std::runtime_error when the overlay cannot be set up: the mode stays vxlan without
  // plain routes, and resync tries again.
  void use(const messages::pod_network_settings& settings, const std::string& node_address);

  // Reaches each peer's pod CIDR the mode's way (a route via the peer's address, or the
  // overlay's entries) and removes what was added for peers no longer listed; peer pod CIDRs
  // are exempt from the masquerade. Peers without a CIDR or an address are skipped. The
  // masquerade is rewritten only when the CIDRs change.
  void route_to(const std::vector<peer_node>& peers);

  // Mends what failed (called periodically): sets up an overlay that could not be set up and
  // adds the overlay entries that could not be added. Throws std::runtime_error as use does.
  void resync();

  // Removes the overlay (when the agent stops).
  void tear_down_overlay();

  // The MTU pods are given (0: the kernel's default).
  int pod_mtu() const { return pod_mtu_; }

private:
  // Runs argv; when it fails and `must` is set, throws std::runtime_error with the command line
  // and its output.
  void run(const std::vector<std::string>& argv, bool must = true);
  // Drops the node's ARP entry for a pod address that is leaving or being handed out again.
  void forget_neighbour(const std::string& ip);
  std::string gateway() const;
  // Rewrites CAPSTAN-POD-EGRESS: RETURN for the node's and the peers' pod CIDRs, MASQUERADE for
  // the rest; hooks it once. Failures are not fatal (a node without iptables still runs pods).
  void masquerade_egress();

  // Adds and removes plain routes so that exactly the peers' pod CIDRs are routed via their
  // addresses (none while the overlay is up).
  void set_routes(const std::vector<peer_node>& peers);

  // Puts wanted_ in force.
  void apply();
  bool wants_overlay() const { return wanted_.mode == messages::pod_network_vxlan; }

  host_actions host_;
  std::string pod_cidr_;                   // as given to set_up_bridge
  std::optional<common::ipv4_cidr> cidr_;  // parsed; set by set_up_bridge
  std::set<std::string> routes_;           // peer pod CIDRs routed via the peers' addresses
  std::set<std::string> peer_cidrs_;       // every peer's pod CIDR (exempt from masquerade)
  std::vector<peer_node> peers_;           // as last given to route_to
  vxlan_overlay overlay_;
  messages::pod_network_settings wanted_;    // as last given to use (mode "routes" until then)
  std::string node_address_;                 // as last given to use
  messages::pod_network_settings settings_;  // the overlay's, while it is up
  int pod_mtu_ = 0;
};

}  // namespace capstan::nodeagent
