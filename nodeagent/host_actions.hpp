// How the node's network code changes the host: one call per command or file write, in the
// order the network needs them. The real ones run the commands and write the files; tests
// record them (and answer the commands whose output is read).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/process.hpp"

namespace capstan::nodeagent {

struct host_actions {
  // Runs argv (as common::run_process); a failure is reported in the result, never thrown.
  std::function<common::process_result(const std::vector<std::string>& argv)> run;
  // Replaces the content of the file at `path` (a sysctl under /proc/sys).
  std::function<void(const std::string& path, const std::string& text)> write_file;

  // The host itself: common::run_process and plain file writes.
  static host_actions real();
};

// Rewrites the nat chain `chain` (created when missing, flushed) to hold `rules`, each the
// arguments after "-A CHAIN", and hooks it into POSTROUTING once, matched by `hook_match`
// (e.g. {"-s", CIDR}). Best effort: a node without iptables still runs pods.
void rewrite_nat_chain(const host_actions& host, const std::string& chain,
                       const std::vector<std::vector<std::string>>& rules,
                       const std::vector<std::string>& hook_match);

}  // namespace capstan::nodeagent
