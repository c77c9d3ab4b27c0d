#include "proxy/userspace_proxier.hpp"

#include <cstdio>
#include <set>
#include <sstream>

#include "proxy/node_netfilter.hpp"

namespace capstan::proxy {

std::string relay_key(const service_port_plan& plan) {
  return plan.service + ":" + plan.port_name + ":" + plan.protocol;
}

std::string userspace_rules(const std::vector<service_port_plan>& plans,
                            const std::map<std::string, uint16_t>& local_ports) {
  std::ostringstream out;
  out << "*nat\n"
      << ":KUBE-PORTALS-CONTAINER - [0:0]\n:KUBE-PORTALS-HOST - [0:0]\n"
      << ":KUBE-NODEPORT-CONTAINER - [0:0]\n:KUBE-NODEPORT-HOST - [0:0]\n";
  for (const auto& plan : plans) {
    auto port = local_ports.find(relay_key(plan));
    // A port without endpoints still goes to its listener, which closes the connection at
    // once (a client then retries soon instead of waiting for a SYN that goes nowhere).
    if (plan.protocol != "TCP" || port == local_ports.end())
      continue;
    std::string comment = "-m comment --comment \"" + plan.service +
                          (plan.port_name.empty() ? "" : ":" + plan.port_name) + "\"";
    std::string to = " -j REDIRECT --to-ports " + std::to_string(port->second) + "\n";
    for (const char* chain : {"KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST"})
      out << "-A " << chain << " " << comment << " -d " << plan.cluster_ip << "/32 -p tcp --dport "
          << plan.port << to;
    if (plan.node_port)
      for (const char* chain : {"KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST"})
        out << "-A " << chain << " " << comment << " -p tcp --dport " << plan.node_port << to;
  }
  out << "COMMIT\n";
  return out.str();
}

userspace_proxier::userspace_proxier(std::string node_address)
    : service_proxy(std::move(node_address)) {
  start();
}

userspace_proxier::~userspace_proxier() {
  stop();
}

void userspace_proxier::apply(const std::vector<service_port_plan>& plans) {
  // Listeners: one per TCP service port; endpoints updated; the others closed.
  std::set<std::string> wanted;
  for (const auto& plan : plans) {
    if (plan.protocol != "TCP")
      continue;
    std::string key = relay_key(plan);
    wanted.insert(key);
    ports_[key] = relay_.open(key);
    relay_.set_endpoints(key, plan.endpoints);
  }
  for (auto it = ports_.begin(); it != ports_.end();) {
    if (wanted.count(it->first)) {
      ++it;
    } else {
      relay_.close(it->first);
      it = ports_.erase(it);
    }
  }
  restore_rules(userspace_rules(plans, ports_));
  ensure_jump("nat", "PREROUTING", {}, "KUBE-PORTALS-CONTAINER");
  ensure_jump("nat", "PREROUTING", {"-m", "addrtype", "--dst-type", "LOCAL"},
              "KUBE-NODEPORT-CONTAINER");
  ensure_jump("nat", "OUTPUT", {}, "KUBE-PORTALS-HOST");
  ensure_jump("nat", "OUTPUT", {"-m", "addrtype", "--dst-type", "LOCAL"}, "KUBE-NODEPORT-HOST");
}

}  // namespace capstan::proxy
