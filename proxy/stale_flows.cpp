#include "proxy/stale_flows.hpp"

#include <map>
#include <set>
#include <tuple>

namespace capstan::proxy {

namespace {

using plan_key = std::tuple<std::string, std::string, std::string>;  // service, port, protocol

plan_key key_of(const service_port_plan& p) {
  return {p.service, p.port_name, p.protocol};
}

bool has_cluster_ip(const service_port_plan& p) {
  return !p.cluster_ip.empty() && p.cluster_ip != "None";
}

}  // namespace

std::vector<std::vector<std::string>> stale_udp_flows(const std::vector<service_port_plan>& before,
                                                      const std::vector<service_port_plan>& after) {
  std::map<plan_key, const service_port_plan*> now;
  for (const auto& p : after)
    if (p.protocol == "UDP")
      now[key_of(p)] = &p;
  std::set<std::vector<std::string>> seen;
  std::vector<std::vector<std::string>> out;
  auto add = [&](std::vector<std::string> args) {
    if (seen.insert(args).second)
      out.push_back(std::move(args));
  };
  // Endpoints that went (with their service port, or from it).
  for (const auto& old : before) {
    if (old.protocol != "UDP")
      continue;
    auto it = now.find(key_of(old));
    std::set<std::string> still;
    if (it != now.end())
      for (const auto& [ip, port] : it->second->endpoints)
        still.insert(ip);
    for (const auto& [ip, port] : old.endpoints) {
      if (still.count(ip))
        continue;
      if (has_cluster_ip(old))
        add({"-D", "-p", "udp", "--orig-dst", old.cluster_ip, "--dst-nat", ip});
      if (old.node_port != 0)
        add({"-D", "-p", "udp", "--dport", std::to_string(old.node_port), "--dst-nat", ip});
    }
  }
  // Service ports that had no endpoint and now have some.
  std::map<plan_key, const service_port_plan*> then;
  for (const auto& p : before)
    if (p.protocol == "UDP")
      then[key_of(p)] = &p;
  for (const auto& [key, p] : now) {
    if (p->endpoints.empty())
      continue;
    auto it = then.find(key);
    if (it != then.end() && !it->second->endpoints.empty())
      continue;
    if (has_cluster_ip(*p))
      add({"-D", "-p", "udp", "--orig-dst", p->cluster_ip});
    if (p->node_port != 0)
      add({"-D", "-p", "udp", "--dport", std::to_string(p->node_port)});
  }
  return out;
}

}  // namespace capstan::proxy
