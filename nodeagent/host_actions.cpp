#include "nodeagent/host_actions.hpp"

#include <fstream>

namespace capstan::nodeagent {

host_actions host_actions::real() {
  return {common::run_process, [](const std::string& path, const std::string& text) {
            std::ofstream out(path, std::ios::trunc | std::ios::binary);
            out << text;
          }};
}

void rewrite_nat_chain(const host_actions& host, const std::string& chain,
                       const std::vector<std::vector<std::string>>& rules,
                       const std::vector<std::string>& hook_match) {
  auto iptables = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"iptables", "-w", "-t", "nat"};
    argv.insert(argv.end(), args.begin(), args.end());
    return host.run(argv);
  };
  iptables({"-N", chain});  // fails when it exists: fine
  iptables({"-F", chain});
  for (const auto& rule : rules) {
    std::vector<std::string> args = {"-A", chain};
    args.insert(args.end(), rule.begin(), rule.end());
    iptables(args);
  }
  std::vector<std::string> hook = {"POSTROUTING"};
  hook.insert(hook.end(), hook_match.begin(), hook_match.end());
  hook.insert(hook.end(), {"-j", chain});
  std::vector<std::string> check = {"-C"}, append = {"-A"};
  check.insert(check.end(), hook.begin(), hook.end());
  append.insert(append.end(), hook.begin(), hook.end());
  if (!iptables(check).ok())
    iptables(append);
}

}  // namespace capstan::nodeagent
