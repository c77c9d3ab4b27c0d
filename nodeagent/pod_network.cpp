#include "nodeagent/pod_network.hpp"

#include <cstdio>
#include <stdexcept>

namespace capstan::nodeagent {

pod_network::pod_network(host_actions host) : host_(host), overlay_(host) {}

std::string bridge_mac(uint32_t gateway) {
  char mac[18];
  std::snprintf(mac, sizeof mac, "02:ca:%02x:%02x:%02x:%02x", (gateway >> 24) & 0xff,
                (gateway >> 16) & 0xff, (gateway >> 8) & 0xff, gateway & 0xff);
  return mac;
}

void pod_network::run(const std::vector<std::string>& argv, bool must) {
  auto r = host_.run(argv);
  if (!r.ok() && must)
    throw std::runtime_error(common::command_line(argv) + ": " + r.output);
}

std::string pod_network::gateway() const {
  if (!cidr_)
    throw std::runtime_error("the node has no pod CIDR");
  return common::format_ipv4(cidr_->network + 1);
}

void pod_network::set_up_bridge(const std::string& pod_cidr) {
  pod_cidr_ = pod_cidr;
  cidr_ = common::ipv4_cidr::parse(pod_cidr);
  std::string gateway = this->gateway();
  run({"ip", "link", "add", "cbr0", "type", "bridge"}, false);
  // A bridge without an address of its own takes the lowest MAC of its ports, so a pod joining
  // with a lower one would change the gateway's MAC under every running pod: their ARP entries
  // for the gateway go stale and their replies are dropped until the entries expire.
  run({"ip", "link", "set", "cbr0", "address", bridge_mac(cidr_->network + 1)});
  run({"ip", "addr", "replace", gateway + "/" + std::to_string(cidr_->prefix), "dev", "cbr0"});
  run({"ip", "link", "set", "cbr0", "up"});
  host_.write_file("/proc/sys/net/ipv4/ip_forward", "1");
  masquerade_egress();
}

void pod_network::masquerade_egress() {
  if (!cidr_)
    return;
  std::vector<std::vector<std::string>> rules = {{"-d", pod_cidr_, "-j", "RETURN"}};
  for (const auto& peer : peer_cidrs_)
    rules.push_back({"-d", peer, "-j", "RETURN"});
  rules.push_back({"-j", "MASQUERADE"});
  rewrite_nat_chain(host_, "CAPSTAN-POD-EGRESS", rules, {"-s", pod_cidr_});
}

std::string pod_network::free_address(const std::set<std::string>& used) const {
  if (!cidr_)
    throw std::runtime_error("the node has no pod CIDR");
  for (uint32_t host = 2; host + 1 < cidr_->size(); ++host) {
    std::string ip = common::format_ipv4(cidr_->network + host);
    if (!used.count(ip))
      return ip;
  }
  throw std::runtime_error("the pod network " + pod_cidr_ + " is full");
}

void pod_network::forget_neighbour(const std::string& ip) {
  if (!ip.empty())
    host_.run({"ip", "neigh", "del", ip, "dev", "cbr0"});
}

void pod_network::attach(const pod_endpoint& pod) {
  std::string gateway = this->gateway();
  run({"ip", "netns", "del", pod.netns}, false);
  run({"ip", "netns", "add", pod.netns});
  if (pod_mtu_ > 0) {
    const std::string mtu = std::to_string(pod_mtu_);
    run({"ip", "link", "add", pod.veth, "mtu", mtu, "type", "veth", "peer", "name", "eth0", "mtu",
         mtu, "netns", pod.netns});
  } else {
    run({"ip", "link", "add", pod.veth, "type", "veth", "peer", "name", "eth0", "netns",
         pod.netns});
  }
  run({"ip", "link", "set", pod.veth, "master", "cbr0", "up"});
  run({"bridge", "link", "set", "dev", pod.veth, "hairpin", "on"}, false);
  run({"ip", "-n", pod.netns, "addr", "add", pod.ip + "/" + std::to_string(cidr_->prefix), "dev",
       "eth0"});
  // An address is reused by the next pod with another MAC: the node forgets the old neighbour
  // entry (which would blackhole the new pod for up to a minute), and the pod announces itself
  // with a gratuitous ARP when eth0 comes up so that other pods' caches follow.
  forget_neighbour(pod.ip);
  run({"ip", "netns", "exec", pod.netns, "sysctl", "-qw", "net.ipv4.conf.eth0.arp_notify=1"},
      false);
  run({"ip", "-n", pod.netns, "link", "set", "eth0", "up"});
  run({"ip", "-n", pod.netns, "link", "set", "lo", "up"});
  run({"ip", "-n", pod.netns, "route", "add", "default", "via", gateway});
}

void pod_network::detach(const pod_endpoint& pod) {
  host_.run({"ip", "netns", "del", pod.netns});
  host_.run({"ip", "link", "del", pod.veth});
  forget_neighbour(pod.ip);
}

void pod_network::use(const messages::pod_network_settings& settings,
                      const std::string& node_address) {
  if (!cidr_)
    throw std::runtime_error("the node has no pod CIDR");
  auto wanted = settings;
  if (wanted.mode.empty())
    wanted.mode = messages::pod_network_routes;
  if (wanted.mode != messages::pod_network_vxlan && wanted.mode != messages::pod_network_routes)
    throw std::invalid_argument("the master names an unknown pod network mode");
  if (wanted.mode == messages::pod_network_vxlan &&
      (wanted.vxlan_vni < 1 || wanted.vxlan_vni > 0xffffff || wanted.vxlan_port < 1 ||
       wanted.vxlan_port > 0xffff))
    throw std::invalid_argument("the master's VXLAN network id " +
                                std::to_string(wanted.vxlan_vni) + " or port " +
                                std::to_string(wanted.vxlan_port) + " is out of range");
  wanted_ = std::move(wanted);
  node_address_ = node_address;
  apply();
}

void pod_network::apply() {
  if (wants_overlay()) {
    bool same = overlay_.up() && settings_.vxlan_vni == wanted_.vxlan_vni &&
                settings_.vxlan_port == wanted_.vxlan_port;
    if (!same) {
      try {
        pod_mtu_ =
            overlay_.set_up(*cidr_, node_address_, wanted_.vxlan_vni, wanted_.vxlan_port);
      } catch (const std::exception&) {
        overlay_.tear_down();
        route_to(std::vector<peer_node>(peers_));  // no plain routes while the mode is vxlan
        throw;
      }
      settings_ = wanted_;
      run({"ip", "link", "set", "cbr0", "mtu", std::to_string(pod_mtu_)}, false);
    }
  } else {
    overlay_.tear_down();  // also what an agent killed before it could remove it left
    if (pod_mtu_ > 0)
      run({"ip", "link", "set", "cbr0", "mtu", std::to_string(pod_mtu_ + vxlan_overhead)}, false);
    pod_mtu_ = 0;
  }
  route_to(std::vector<peer_node>(peers_));
}

void pod_network::resync() {
  if (!cidr_)
    return;
  if (wants_overlay() && !overlay_.up())
    apply();
  else
    overlay_.connect(peers_);
}

void pod_network::tear_down_overlay() {
  if (overlay_.up())
    overlay_.tear_down();
}

void pod_network::set_routes(const std::vector<peer_node>& peers) {
  std::set<std::string> now;
  if (!wants_overlay())
    for (const auto& p : peers) {
      if (p.pod_cidr.empty() || p.address.empty())
        continue;
      run({"ip", "route", "replace", p.pod_cidr, "via", p.address}, false);
      now.insert(p.pod_cidr);
    }
  for (const auto& old : routes_)
    if (!now.count(old))
      run({"ip", "route", "del", old}, false);
  routes_ = std::move(now);
}

void pod_network::route_to(const std::vector<peer_node>& peers) {
  peers_ = peers;
  set_routes(peers);
  overlay_.connect(peers);
  std::set<std::string> cidrs;
  for (const auto& p : peers)
    if (!p.pod_cidr.empty() && !p.address.empty())
      cidrs.insert(p.pod_cidr);
  bool changed = cidrs != peer_cidrs_;
  peer_cidrs_ = std::move(cidrs);
  if (changed)
    masquerade_egress();
}

}  // namespace capstan::nodeagent
