// A pod's resolver files, as the kubelet writes them: /etc/resolv.conf by the pod's dnsPolicy
// (ClusterFirst: the cluster DNS address, `search NS.svc.D svc.D D` then the node's search
// domains, `options ndots:5`; Default: the node's own; None: only the pod's dnsConfig, which
// the others merge in), and /etc/hosts with localhost and the pod's own address and names.
// Pure functions.
#pragma once

#include <string>

#include "messages/pod.hpp"

namespace capstan::nodeagent {

struct cluster_dns_settings {
  std::string address;  // "" : the cluster has no DNS (ClusterFirst falls back to Default)
  std::string domain = "cluster.local";
};

// The resolv.conf of `pod`; `node_resolv_conf` is the text of the node's /etc/resolv.conf.
// At most 3 nameservers and 32 search domains are written (the resolver reads no more).
std::string pod_resolv_conf(const messages::pod& pod, const cluster_dns_settings& cluster,
                            const std::string& node_resolv_conf);

// The /etc/hosts of `pod` at `ip`: localhost (IPv4 and IPv6), then the pod's address with its
// host name (spec.hostname, else its name) — preceded by HOST.SUBDOMAIN.NS.svc.DOMAIN when it
// names a subdomain.
std::string pod_hosts_file(const messages::pod& pod, const std::string& ip,
                           const std::string& domain);

}  // namespace capstan::nodeagent
