// What both proxy modes do to the node around their rules: the sysctls service traffic needs,
// a route for the ClusterIP range, and applying rules with one iptables-restore --noflush.
// Blocking: for the proxies' own threads.
#pragma once

#include <string>
#include <vector>

namespace capstan::proxy {

// ip_forward, route_localnet (NodePorts on 127.0.0.1), bridge-nf-call-iptables (pod traffic).
void enable_service_sysctls();
// Routes `cidr` to the interface that holds `node_address`, so that OUTPUT DNAT sees ClusterIPs
// (it happens after the routing decision). Nothing when either is empty or not found.
void route_service_cidr(const std::string& cidr, const std::string& node_address);
// iptables-restore --noflush of `rules`; throws std::runtime_error with its output on failure.
void restore_rules(const std::string& rules);
// Inserts `-j target` into `table`/`chain` (with `match` options before it) unless it is there.
void ensure_jump(const std::string& table, const std::string& chain,
                 const std::vector<std::string>& match, const std::string& target);

}  // namespace capstan::proxy
