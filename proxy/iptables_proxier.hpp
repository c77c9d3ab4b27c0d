// The iptables proxy (kube-proxy's design, see iptables_rules.hpp): every apply writes the
// nat and filter CAPSTAN- chains with one iptables-restore --noflush and makes sure the hooks
// (nat PREROUTING, OUTPUT, POSTROUTING; filter OUTPUT, FORWARD) jump to them. Then the UDP
// flows the change left stale are deleted from conntrack (stale_flows.hpp).
#pragma once

#include "proxy/service_proxy.hpp"

namespace capstan::proxy {

class iptables_proxier : public service_proxy {
public:
  // `node_address`: the node's InternalIP (finds the interface for the ClusterIP route).
  explicit iptables_proxier(std::string node_address);
  ~iptables_proxier() override;

private:
  void apply(const std::vector<service_port_plan>& plans) override;

  std::vector<service_port_plan> applied_;  // the plans in place; the proxy's thread only
};

}  // namespace capstan::proxy
