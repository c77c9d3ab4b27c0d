// A node's share of the cluster DNS: its DNS server (dns/dns_server.hpp) listening on the pod
// network's gateway (cbr0's address, port 53, UDP and TCP), fed with the services and endpoints
// the node's proxy receives, and the nat rules that send what pods and the node itself address
// to the cluster DNS address (port 53) there instead (chain CAPSTAN-DNS, first in PREROUTING and
// OUTPUT). Names outside the cluster domain go to the resolvers of the node's
// /etc/resolv.conf. So every node answers the cluster DNS address itself: no extra hop, no DNS
// pod to lose.
//
// Thread-safety: none; the node agent calls it from its own actor. Nothing here blocks for
// long: the server runs on its own thread; the rules are a few iptables commands when the
// settings change.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/process.hpp"
#include "dns/dns_server.hpp"

namespace capstan::nodeagent {

struct node_dns_settings {
  std::string cluster_dns;       // the address pods ask (10.254.0.10)
  std::string cluster_domain;    // cluster.local
  std::string listen_address;    // the pod network's gateway (10.1.0.1)
  bool operator==(const node_dns_settings& o) const {
    return cluster_dns == o.cluster_dns && cluster_domain == o.cluster_domain &&
           listen_address == o.listen_address;
  }
};

class node_dns {
public:
  using command_runner =
      std::function<common::process_result(const std::vector<std::string>& argv)>;
  // `run` runs iptables (tests record the commands); `resolv_conf` is where the upstream
  // resolvers are read, at each (re)start of the server; `port` 0 is for tests (any free port).
  node_dns(command_runner run, std::string resolv_conf = "/etc/resolv.conf", uint16_t port = 53);
  ~node_dns();

  // The gateway of the node's pod network (the first address of `pod_cidr`).
  void set_pod_cidr(const std::string& pod_cidr);
  // The master's cluster DNS address and domain ("" address: no cluster DNS here).
  void set_cluster(const std::string& cluster_dns, const std::string& cluster_domain);
  // The cluster's services and endpoints now (kept for a server started later).
  void update(std::vector<messages::service> services, std::vector<messages::endpoints> endpoints);

  // The server, once both settings are known (null before, or when it could not start).
  const dns::dns_server* server() const { return server_.get(); }
  const node_dns_settings& settings() const { return settings_; }

private:
  void reconcile();
  void install_rules();

  command_runner run_;
  std::string resolv_conf_;
  uint16_t port_;
  node_dns_settings wanted_, settings_;
  std::unique_ptr<dns::dns_server> server_;
  std::vector<messages::service> services_;
  std::vector<messages::endpoints> endpoints_;
};

// The iptables commands that send DNS for `cluster_dns` to `listen_address`:`port` (each an
// argv; a failing -N or -C is expected when the chain or jump exists).
std::vector<std::vector<std::string>> dns_redirect_commands(const std::string& cluster_dns,
                                                            const std::string& listen_address,
                                                            uint16_t port);

}  // namespace capstan::nodeagent
