#include "nodeagent/node_dns.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/ipv4.hpp"

namespace capstan::nodeagent {

std::vector<std::vector<std::string>> dns_redirect_commands(const std::string& cluster_dns,
                                                            const std::string& listen_address,
                                                            uint16_t port) {
  const std::string to = listen_address + ":" + std::to_string(port);
  std::vector<std::vector<std::string>> out = {
      {"iptables", "-w", "-t", "nat", "-N", "CAPSTAN-DNS"},
      {"iptables", "-w", "-t", "nat", "-F", "CAPSTAN-DNS"},
  };
  for (const char* protocol : {"udp", "tcp"})
    out.push_back({"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-DNS", "-d", cluster_dns + "/32",
                   "-p", protocol, "--dport", "53", "-j", "DNAT", "--to-destination", to});
  return out;
}

node_dns::node_dns(command_runner run, std::string resolv_conf, uint16_t port)
    : run_(std::move(run)), resolv_conf_(std::move(resolv_conf)), port_(port) {}

node_dns::~node_dns() = default;

void node_dns::set_pod_cidr(const std::string& pod_cidr) {
  auto cidr = common::ipv4_cidr::parse(pod_cidr);
  if (!cidr)
    return;
  wanted_.listen_address = common::format_ipv4(cidr->network + 1);
  reconcile();
}

void node_dns::set_cluster(const std::string& cluster_dns, const std::string& cluster_domain) {
  wanted_.cluster_dns = cluster_dns;
  wanted_.cluster_domain = cluster_domain.empty() ? "cluster.local" : cluster_domain;
  reconcile();
}

void node_dns::update(std::vector<messages::service> services,
                      std::vector<messages::endpoints> endpoints) {
  services_ = std::move(services);
  endpoints_ = std::move(endpoints);
  if (server_)
    server_->update(services_, endpoints_);
}

void node_dns::install_rules() {
  for (const auto& argv : dns_redirect_commands(settings_.cluster_dns, settings_.listen_address,
                                                server_->port()))
    run_(argv);
  // First in each hook, before the services' chains.
  for (const std::string chain : {"PREROUTING", "OUTPUT"})
    if (!run_({"iptables", "-w", "-t", "nat", "-C", chain, "-j", "CAPSTAN-DNS"}).ok())
      run_({"iptables", "-w", "-t", "nat", "-I", chain, "1", "-j", "CAPSTAN-DNS"});
}

void node_dns::reconcile() {
  if (wanted_.cluster_dns.empty() || wanted_.listen_address.empty() ||
      (server_ && wanted_ == settings_))
    return;
  settings_ = wanted_;
  server_.reset();
  std::ifstream in(resolv_conf_);
  std::stringstream text;
  text << in.rdbuf();
  dns::dns_server_settings s;
  s.address = settings_.listen_address;
  s.port = port_;
  s.freebind = true;  // cbr0 may get its address after this
  for (const auto& upstream : dns::resolv_conf_nameservers(text.str()))
    if (upstream != settings_.cluster_dns && upstream != settings_.listen_address)
      s.upstreams.push_back(upstream);
  try {
    server_ = std::make_unique<dns::dns_server>(s, dns::zone_settings{settings_.cluster_domain});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "capstan node: no cluster DNS here: %s\n", e.what());
    return;
  }
  server_->update(services_, endpoints_);
  install_rules();
}

}  // namespace capstan::nodeagent
