#include "proxy/iptables_proxier.hpp"

#include "common/process.hpp"
#include "proxy/node_netfilter.hpp"

namespace capstan::proxy {

iptables_proxier::iptables_proxier(std::string node_address)
    : service_proxy(std::move(node_address)) {
  start();
}

iptables_proxier::~iptables_proxier() {
  stop();
}

void iptables_proxier::apply(const std::vector<service_port_plan>& plans) {
  auto saved = common::run_process({"iptables-save", "-t", "nat"});
  if (!saved.ok())
    throw std::runtime_error("iptables-save: " + saved.output);
  restore_rules(nat_rules(plans, capstan_chains(saved.output)));
  ensure_jump("nat", "PREROUTING", {}, "CAPSTAN-SERVICES");
  ensure_jump("nat", "OUTPUT", {}, "CAPSTAN-SERVICES");
  ensure_jump("nat", "POSTROUTING", {}, "CAPSTAN-POSTROUTING");
  ensure_jump("filter", "OUTPUT", {}, "CAPSTAN-SERVICES");
  ensure_jump("filter", "FORWARD", {}, "CAPSTAN-SERVICES");
}

}  // namespace capstan::proxy
