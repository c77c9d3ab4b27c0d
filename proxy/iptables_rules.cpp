#include "proxy/iptables_rules.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include <openssl/sha.h>

#include "messages/text.hpp"

namespace capstan::proxy {

using namespace messages;

namespace {

std::string hash16(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* const hex = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

std::vector<service_port_plan> plan_services(const std::vector<service>& services,
                                             const std::vector<endpoints>& all_endpoints) {
  std::map<std::string, const endpoints*> by_name;
  for (const auto& e : all_endpoints)
    by_name[e.metadata.namespace_ + "/" + e.metadata.name] = &e;
  std::vector<service_port_plan> plans;
  for (const auto& s : services) {
    if (s.spec.cluster_ip.empty() || s.spec.cluster_ip == "None")
      continue;
    std::string id = s.metadata.namespace_ + "/" + s.metadata.name;
    auto found = by_name.find(id);
    for (const auto& p : s.spec.ports) {
      service_port_plan plan;
      plan.service = id;
      plan.port_name = p.name;
      plan.protocol = p.protocol.empty() ? "TCP" : p.protocol;
      plan.cluster_ip = s.spec.cluster_ip;
      plan.port = p.port;
      plan.node_port = s.spec.type == "NodePort" || s.spec.type == "LoadBalancer" ? p.node_port : 0;
      if (found != by_name.end())
        for (const auto& subset : found->second->subsets)
          for (const auto& ep : subset.ports)
            if (ep.name == p.name && (ep.protocol.empty() ? "TCP" : ep.protocol) == plan.protocol)
              for (const auto& a : subset.addresses)
                plan.endpoints.emplace_back(a.ip, ep.port);
      std::sort(plan.endpoints.begin(), plan.endpoints.end());
      plans.push_back(std::move(plan));
    }
  }
  std::sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) {
    return std::tie(a.service, a.port_name) < std::tie(b.service, b.port_name);
  });
  return plans;
}

std::string service_chain(const service_port_plan& plan) {
  return "CAPSTAN-SVC-" + hash16(plan.service + ":" + plan.port_name + ":" + plan.protocol);
}

std::string endpoint_chain(const service_port_plan& plan, const std::string& ip, int32_t port) {
  return "CAPSTAN-SEP-" + hash16(plan.service + ":" + plan.port_name + ":" + plan.protocol + ":" +
                                 ip + ":" + std::to_string(port));
}

std::string nat_rules(const std::vector<service_port_plan>& plans,
                      const std::set<std::string>& existing) {
  std::ostringstream chains, rules;
  std::set<std::string> needed = {"CAPSTAN-SERVICES", "CAPSTAN-NODEPORTS", "CAPSTAN-POSTROUTING",
                                  "CAPSTAN-MARK-MASQ"};
  rules << "-A CAPSTAN-MARK-MASQ -j MARK --or-mark 0x4000\n";
  rules << "-A CAPSTAN-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE\n";
  for (const auto& plan : plans) {
    const std::string proto = ascii_lower(plan.protocol);
    const std::string comment = "-m comment --comment \"" + plan.service +
                                (plan.port_name.empty() ? "" : ":" + plan.port_name) + "\"";
    if (plan.endpoints.empty())
      continue;  // no endpoints: no rules (connections are refused by the lack of a listener)
    std::string svc = service_chain(plan);
    needed.insert(svc);
    rules << "-A CAPSTAN-SERVICES " << comment << " -d " << plan.cluster_ip << "/32 -p " << proto
          << " --dport " << plan.port << " -j " << svc << "\n";
    if (plan.node_port)
      rules << "-A CAPSTAN-NODEPORTS " << comment << " -p " << proto << " --dport "
            << plan.node_port << " -j CAPSTAN-MARK-MASQ\n"
            << "-A CAPSTAN-NODEPORTS " << comment << " -p " << proto << " --dport "
            << plan.node_port << " -j " << svc << "\n";
    const std::size_t n = plan.endpoints.size();
    for (std::size_t i = 0; i < n; ++i) {
      const auto& [ip, port] = plan.endpoints[i];
      std::string sep = endpoint_chain(plan, ip, port);
      needed.insert(sep);
      rules << "-A " << svc << " " << comment;
      if (i + 1 < n) {
        char probability[32];
        std::snprintf(probability, sizeof probability, "%.10f", 1.0 / static_cast<double>(n - i));
        rules << " -m statistic --mode random --probability " << probability;
      }
      rules << " -j " << sep << "\n";
      rules << "-A " << sep << " " << comment << " -s " << ip << "/32 -j CAPSTAN-MARK-MASQ\n";
      rules << "-A " << sep << " " << comment << " -p " << proto << " -j DNAT --to-destination "
            << ip << ":" << port << "\n";
    }
  }
  // NodePorts are looked at for traffic to any of this node's own addresses, after ClusterIPs.
  rules << "-A CAPSTAN-SERVICES -m addrtype --dst-type LOCAL -j CAPSTAN-NODEPORTS\n";
  // Services without endpoints are rejected at once (icmp port unreachable) in the filter
  // table, as kube-proxy does; without this a client's SYN would go nowhere and it would wait
  // for its connect timeout (60 s for a redis replica) before trying again.
  std::ostringstream filter;
  filter << "*filter\n:CAPSTAN-SERVICES - [0:0]\n";
  for (const auto& plan : plans) {
    if (!plan.endpoints.empty())
      continue;
    const std::string proto = ascii_lower(plan.protocol);
    filter << "-A CAPSTAN-SERVICES -m comment --comment \"" << plan.service
           << (plan.port_name.empty() ? "" : ":" + plan.port_name) << " has no endpoints\" -d "
           << plan.cluster_ip << "/32 -p " << proto << " --dport " << plan.port
           << " -j REJECT --reject-with icmp-port-unreachable\n";
  }
  filter << "COMMIT\n";
  std::ostringstream out;
  out << "*nat\n";
  for (const auto& c : needed)
    out << ":" << c << " - [0:0]\n";
  std::vector<std::string> stale;
  for (const auto& c : existing)
    if (!needed.count(c)) {
      out << ":" << c << " - [0:0]\n";  // flushed first, deleted after nothing jumps to it
      stale.push_back(c);
    }
  out << rules.str();
  for (const auto& c : stale)
    out << "-X " << c << "\n";
  out << "COMMIT\n" << filter.str();
  return out.str();
}

std::set<std::string> capstan_chains(const std::string& save) {
  std::set<std::string> chains;
  std::istringstream in(save);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(":CAPSTAN-SVC-", 0) == 0 || line.rfind(":CAPSTAN-SEP-", 0) == 0)
      chains.insert(line.substr(1, line.find(' ') - 1));
  return chains;
}

}  // namespace capstan::proxy
