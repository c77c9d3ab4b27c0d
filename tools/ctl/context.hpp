// What every capstanctl command shares: kubectl's global flags (where the cluster is, who is
// asking, which namespace) and the streams the commands print to.
#pragma once

#include <functional>
#include <iosfwd>

#include <CLI/CLI.hpp>

#include "tools/ctl/connection.hpp"

namespace capstan::ctl {

struct context {
  connection_options connection;
  std::ostream& out;
  std::ostream& err;
};

// --kubeconfig, -s/--server, --token, -n/--namespace, --insecure-skip-tls-verify on the root;
// they may stand before or after the command, as with kubectl (the commands fall through to
// the root for them).
void add_global_flags(CLI::App& root, context& ctx);

// Runs `command` against the cluster the global flags name and ends the process's command with
// its exit code (cli::exit_with); exit 1 after printing why when there is no cluster to reach.
void run_connected(context& ctx, const std::function<int(const connection&)>& command);

}  // namespace capstan::ctl
