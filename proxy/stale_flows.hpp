// UDP flows the proxy must end itself. UDP has no connection to close: a flow's conntrack entry
// keeps sending its packets to the endpoint the first packet was DNATed to, after that endpoint
// is gone; and a flow whose first packet came while the service had no endpoint stays unNATed
// after one appears. kube-proxy deletes such entries after each sync; so does capstan's
// iptables proxy, with the conntrack commands this computes from two consecutive plans.
#pragma once

#include <string>
#include <vector>

#include "proxy/iptables_rules.hpp"

namespace capstan::proxy {

// The `conntrack` argument lists (without the program name) that delete the stale UDP entries
// when the node's rules go from `before` to `after`:
//  - an endpoint a UDP service port had and no longer has: the entries DNATed to it, by
//    ClusterIP (-D -p udp --orig-dst CLUSTER_IP --dst-nat IP) and by NodePort
//    (-D -p udp --dport NODE_PORT --dst-nat IP);
//  - a UDP service port that had no endpoint and now has one: every entry to its ClusterIP
//    (-D -p udp --orig-dst CLUSTER_IP) and NodePort (-D -p udp --dport NODE_PORT).
// Each deletion appears once, in a stable order. TCP is left alone (its connections end).
std::vector<std::vector<std::string>> stale_udp_flows(const std::vector<service_port_plan>& before,
                                                      const std::vector<service_port_plan>& after);

}  // namespace capstan::proxy
