// `capstan master members --data DIR`: the masters of the cluster this master belongs to and
// which one leads; `capstan master members remove ID --data DIR` takes master ID out (the
// leader commits it). Asked through the master's own API with DATA/admin.kubeconfig, so it runs
// where that master runs (capstanctl members does the same from anywhere).
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::admin {

// Registers `members` (and `members remove`) under the `master` command.
void add_master_members_command(CLI::App& master);

}  // namespace capstan::admin
