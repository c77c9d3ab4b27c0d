// capstanctl's commands that talk to a cluster through the API: get, create, delete, scale,
// label, version. Output as kubectl prints it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace capstan::ctl {

// True when `command` is one of these.
bool is_cluster_command(const std::string& command);

// Runs it; returns the exit code (0 ok, 1 failure, 2 usage).
int run_cluster_command(const std::string& command, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err);

}  // namespace capstan::ctl
