#include "nodeagent/vxlan_overlay.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace capstan::nodeagent {

namespace {

// The interface `ip -o -4 addr show to ADDRESS/32` lists first ("3: eth0    inet ..."), without
// a veth's "@ifN" suffix; "" when none holds the address.
std::string interface_of(const std::string& listing) {
  std::istringstream in(listing);
  std::string index, name;
  if (!(in >> index >> name) || index.empty() || index.back() != ':')
    return "";
  return name.substr(0, name.find('@'));
}

// The "mtu N" of `ip -o link show dev NAME`; 0 when it is not there.
int mtu_of(const std::string& listing) {
  auto at = listing.find(" mtu ");
  if (at == std::string::npos)
    return 0;
  return std::atoi(listing.c_str() + at + 5);
}

// An address another host may have: not 0.0.0.0/8, loopback, link-local, multicast or
// broadcast.
bool unicast(uint32_t a) {
  uint32_t first = a >> 24;
  return first != 0 && first != 127 && (a >> 16) != 0xa9fe && first < 224;
}

bool overlaps(const common::ipv4_cidr& a, const common::ipv4_cidr& b) {
  return a.contains(b.network) || b.contains(a.network);
}

}  // namespace

std::string vtep_mac(uint32_t pod_network) {
  char mac[18];
  std::snprintf(mac, sizeof mac, "02:cb:%02x:%02x:%02x:%02x", (pod_network >> 24) & 0xff,
                (pod_network >> 16) & 0xff, (pod_network >> 8) & 0xff, pod_network & 0xff);
  return mac;
}

vxlan_overlay::vxlan_overlay(host_actions host) : host_(std::move(host)) {}

int vxlan_overlay::set_up(const common::ipv4_cidr& pod_cidr, const std::string& node_address,
                          uint32_t vni, uint32_t port) {
  auto must = [&](const std::vector<std::string>& argv) {
    auto r = host_.run(argv);
    if (!r.ok())
      throw std::runtime_error(common::command_line(argv) + ": " + r.output);
    return r.output;
  };
  if (vni < 1 || vni > 0xffffff || port < 1 || port > 0xffff)
    throw std::runtime_error("VXLAN network id " + std::to_string(vni) + " or port " +
                             std::to_string(port) + " is out of range (1-16777215, 1-65535)");
  auto local = common::parse_ipv4(node_address);
  if (!local || !unicast(*local))
    throw std::runtime_error("the overlay needs the node's own IPv4 address (--address), not \"" +
                             node_address + "\"");
  std::string uplink =
      interface_of(must({"ip", "-o", "-4", "addr", "show", "to", node_address + "/32"}));
  if (uplink.empty())
    throw std::runtime_error("no interface of this node holds its address " + node_address +
                             " (--address): the overlay has nothing to carry it");
  int mtu = mtu_of(must({"ip", "-o", "link", "show", "dev", uplink})) - vxlan_overhead;
  if (mtu < 576)
    throw std::runtime_error("the MTU of " + uplink + " leaves pods less than 576 bytes");
  tear_down();
  must({"ip", "link", "add", overlay_device, "type", "vxlan", "id", std::to_string(vni), "local",
        node_address, "dev", uplink, "dstport", std::to_string(port), "nolearning"});
  must({"ip", "link", "set", overlay_device, "address", vtep_mac(pod_cidr.network), "mtu",
        std::to_string(mtu)});
  must({"ip", "addr", "replace", common::format_ipv4(pod_cidr.network) + "/32", "dev",
        overlay_device});
  must({"ip", "link", "set", overlay_device, "up"});
  up_ = true;
  pod_cidr_ = pod_cidr;
  local_address_ = *local;
  masquerade_own_sources(pod_cidr);
  return mtu;
}

bool vxlan_overlay::acceptable(const common::ipv4_cidr& cidr, uint32_t address) const {
  return cidr.prefix == pod_cidr_.prefix && !overlaps(cidr, pod_cidr_) && unicast(address) &&
         address != local_address_ && !cidr.contains(address);
}

bool vxlan_overlay::add(const std::string& pod_cidr, const peer_entry& peer) {
  // The neighbour and forwarding entries first: the route is usable the moment it exists.
  return host_.run({"ip", "neigh", "replace", peer.vtep, "lladdr", peer.mac, "dev", overlay_device,
                    "nud", "permanent"})
             .ok() &&
         host_.run({"bridge", "fdb", "replace", peer.mac, "dev", overlay_device, "dst",
                    peer.address, "self", "permanent"})
             .ok() &&
         host_.run({"ip", "route", "replace", pod_cidr, "via", peer.vtep, "dev", overlay_device,
                    "onlink"})
             .ok();
}

void vxlan_overlay::remove(const std::string& pod_cidr, const peer_entry& peer) {
  host_.run({"ip", "route", "del", pod_cidr, "dev", overlay_device});
  host_.run({"ip", "neigh", "del", peer.vtep, "dev", overlay_device});
  host_.run({"bridge", "fdb", "del", peer.mac, "dev", overlay_device, "self"});
}

void vxlan_overlay::connect(const std::vector<peer_node>& peers) {
  if (!up_)
    return;
  std::map<std::string, peer_entry> wanted;
  for (const auto& p : peers) {
    auto cidr = common::ipv4_cidr::parse(p.pod_cidr);
    auto address = common::parse_ipv4(p.address);
    if (!cidr || !address || !acceptable(*cidr, *address))
      continue;
    wanted[cidr->to_string()] = {common::format_ipv4(cidr->network), vtep_mac(cidr->network),
                                 p.address};
  }
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto still = wanted.find(it->first);
    if (still != wanted.end() && still->second.same_as(it->second)) {
      ++it;
      continue;
    }
    if (still == wanted.end())
      remove(it->first, it->second);  // a peer that moved has its entries replaced below
    it = peers_.erase(it);
  }
  for (auto& [cidr, peer] : wanted) {
    auto known = peers_.find(cidr);
    if (known != peers_.end() && known->second.complete)
      continue;
    peer.complete = add(cidr, peer);
    peers_[cidr] = peer;  // recorded either way: a later leave removes what was added
  }
}

void vxlan_overlay::masquerade_own_sources(const common::ipv4_cidr& pod_cidr) {
  rewrite_nat_chain(host_, "CAPSTAN-OVERLAY",
                    {{"-o", overlay_device, "!", "-s", pod_cidr.to_string(), "-j", "MASQUERADE"}},
                    {});
}

void vxlan_overlay::tear_down() {
  host_.run({"ip", "link", "del", overlay_device});
  host_.run({"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-OVERLAY"});
  up_ = false;
  pod_cidr_ = {};
  local_address_ = 0;
  peers_.clear();
}

}  // namespace capstan::nodeagent
