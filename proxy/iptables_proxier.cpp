#include "proxy/iptables_proxier.hpp"

#include <cstdio>

#include "common/process.hpp"
#include "proxy/node_netfilter.hpp"
#include "proxy/stale_flows.hpp"

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
  // The rules are in place; stale flows are best effort (a failure is logged, not retried:
  // the flow then lives until conntrack's UDP timeout, as it would without this).
  for (auto& args : stale_udp_flows(applied_, plans)) {
    args.insert(args.begin(), "conntrack");
    auto r = common::run_process(args);
    if (r.exit_code != 0 && r.exit_code != 1) {  // 1: no entry matched
      std::string line;
      for (const auto& a : args)
        line += (line.empty() ? "" : " ") + a;
      std::fprintf(stderr, "capstan node: proxy: %s: %s\n", line.c_str(), r.output.c_str());
    }
  }
  applied_ = plans;
}

}  // namespace capstan::proxy
