// The nat rules of the iptables proxy, Kubernetes style, as one iptables-restore input:
//   PREROUTING, OUTPUT -> CAPSTAN-SERVICES (hooks installed separately, once)
//   CAPSTAN-SERVICES: ClusterIP:port -> CAPSTAN-SVC-<hash>; local destinations -> NODEPORTS
//   CAPSTAN-NODEPORTS: nodePort -> mark for masquerade, then CAPSTAN-SVC-<hash>
//   CAPSTAN-SVC-<hash>: random balancing (probability 1/n, 1/(n-1), ...) over CAPSTAN-SEP-<hash>
//   CAPSTAN-SEP-<hash>: hairpin mark when the endpoint calls itself, then DNAT to IP:port
//   CAPSTAN-POSTROUTING: MASQUERADE what carries the mark (NodePort and hairpin traffic)
//   filter CAPSTAN-SERVICES (from OUTPUT and FORWARD): REJECT service ports without endpoints
// Only capstan's own chains are written; chains of services that are gone are deleted.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::proxy {

// One service port and where it goes: what both proxy modes work from.
struct service_port_plan {
  std::string service;  // "namespace/name"
  std::string port_name;
  std::string protocol;  // TCP or UDP
  std::string cluster_ip;
  int32_t port = 0;
  int32_t node_port = 0;                                   // 0: none
  std::vector<std::pair<std::string, int32_t>> endpoints;  // ready ip:port, sorted
};

// Pairs every service port with its endpoints (matched by port name, as Kubernetes does).
// Services without a ClusterIP, and selector-less services without endpoints, give plans with
// no endpoints (their traffic is rejected by having no rules).
std::vector<service_port_plan> plan_services(const std::vector<messages::service>& services,
                                             const std::vector<messages::endpoints>& endpoints);

// The iptables-restore --noflush input for the nat and filter tables. `existing` are the CAPSTAN-
// chains the table has now (from iptables-save); those no longer needed are flushed and deleted.
std::string nat_rules(const std::vector<service_port_plan>& plans,
                      const std::set<std::string>& existing);

// The chain names: CAPSTAN-SVC-<16 hex of a hash of service/port/protocol>, CAPSTAN-SEP-<...>.
std::string service_chain(const service_port_plan& plan);
std::string endpoint_chain(const service_port_plan& plan, const std::string& ip, int32_t port);

// The names of the proxy's per-service chains (CAPSTAN-SVC-, CAPSTAN-SEP-) in iptables-save
// output: those it deletes when their service is gone. Other CAPSTAN- chains are its base chains
// (always written) or another component's (the pod network's CAPSTAN-POD-EGRESS).
std::set<std::string> capstan_chains(const std::string& iptables_save_output);

}  // namespace capstan::proxy
