// `capstan master`: runs the control plane on a data directory until SIGINT or SIGTERM, then
// shuts down cleanly (journal committed, snapshot written, exit 0).
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::admin {

// Registers `master` and its flags on `root`.
void add_master_command(CLI::App& root);

}  // namespace capstan::admin
