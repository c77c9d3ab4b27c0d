// Running the node's tools (runc, ip, umoci, skopeo) as child processes, blocking. For the
// runtime's own thread only: never call these from an actor.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace capstan::common {

struct process_result {
  int exit_code = -1;  // -1: could not start
  std::string output;  // stdout and stderr together
  bool ok() const { return exit_code == 0; }
};

// Runs argv[0] (searched in PATH) with `argv`, waits, and returns its exit code and output.
process_result run_process(const std::vector<std::string>& argv);

// The same, with the child's stdout and stderr appended to `log_path` instead of captured.
process_result run_process_logging_to(const std::vector<std::string>& argv,
                                      const std::string& log_path);

// Starts argv[0] (searched in PATH) with stdout to /dev/null and stderr inherited, without
// waiting; returns its PID, or -1 when it cannot start. The caller reaps it.
pid_t start_process(const std::vector<std::string>& argv);

// "ip netns add x": the argv as one line, for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace capstan::common
