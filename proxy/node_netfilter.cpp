#include "proxy/node_netfilter.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common/process.hpp"

namespace capstan::proxy {

using common::run_process;

void enable_service_sysctls() {
  std::ofstream("/proc/sys/net/ipv4/ip_forward") << "1";
  std::ofstream("/proc/sys/net/ipv4/conf/all/route_localnet") << "1";
  std::ofstream("/proc/sys/net/bridge/bridge-nf-call-iptables") << "1";
}

void route_service_cidr(const std::string& cidr, const std::string& node_address) {
  if (cidr.empty() || node_address.empty())
    return;
  // "2: eth0    inet 192.168.77.11/24 ...": the second field names the interface.
  auto r = run_process({"ip", "-o", "addr", "show", "to", node_address});
  auto first = r.output.find(' ');
  auto second = first == std::string::npos ? first : r.output.find(' ', first + 1);
  if (!r.ok() || second == std::string::npos)
    return;
  run_process(
      {"ip", "route", "replace", cidr, "dev", r.output.substr(first + 1, second - first - 1)});
}

void restore_rules(const std::string& rules) {
  char path[] = "/tmp/capstan-proxy-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw std::runtime_error("no temporary file for iptables-restore");
  ::close(fd);
  std::ofstream(path) << rules;
  auto restored = run_process({"iptables-restore", "--noflush", path});
  std::remove(path);
  if (!restored.ok())
    throw std::runtime_error("iptables-restore: " + restored.output);
}

void ensure_jump(const std::string& table, const std::string& chain,
                 const std::vector<std::string>& match, const std::string& target) {
  std::vector<std::string> rule = {"iptables", "-t", table, "-C", chain};
  rule.insert(rule.end(), match.begin(), match.end());
  rule.push_back("-j");
  rule.push_back(target);
  if (!run_process(rule).ok()) {
    rule[3] = "-I";
    run_process(rule);
  }
}

}  // namespace capstan::proxy
