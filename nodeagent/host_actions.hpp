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

}  // namespace capstan::nodeagent
