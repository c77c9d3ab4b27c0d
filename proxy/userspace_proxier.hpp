// The userspace proxy of seed 004: a local listener per service port (tcp_relay) and nat rules
// that send ClusterIP and NodePort traffic to it, in Kubernetes' userspace-mode chains:
//   KUBE-PORTALS-CONTAINER (PREROUTING: traffic from pods and other hosts) and
//   KUBE-PORTALS-HOST (OUTPUT: the node's own traffic): ClusterIP:port -> REDIRECT local port
//   KUBE-NODEPORT-CONTAINER / KUBE-NODEPORT-HOST (to local addresses): nodePort -> the same.
// TCP only. Rules are rewritten whole on each coalesced update (iptables-restore --noflush).
#pragma once

#include <map>

#include "proxy/iptables_rules.hpp"
#include "proxy/service_proxy.hpp"
#include "proxy/tcp_relay.hpp"

namespace capstan::proxy {

// The rules for these plans, given each plan's local port (by relay key).
std::string userspace_rules(const std::vector<service_port_plan>& plans,
                            const std::map<std::string, uint16_t>& local_ports);
// The relay key of a plan: "namespace/name:port-name:protocol".
std::string relay_key(const service_port_plan& plan);

class userspace_proxier : public service_proxy {
public:
  explicit userspace_proxier(std::string node_address);
  ~userspace_proxier() override;

private:
  void apply(const std::vector<service_port_plan>& plans) override;

  tcp_relay relay_;
  std::map<std::string, uint16_t> ports_;  // relay key -> local port; proxy thread only
};

}  // namespace capstan::proxy
