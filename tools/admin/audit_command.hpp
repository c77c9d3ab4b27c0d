// `capstan audit --data DIR history [TYPE[/NAME]] | at SEQ [TYPE]`: the offline form of
// `capstanctl audit`, read straight from a (running or stopped) master's journal.
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::admin {

// Registers `audit history` and `audit at` on `root`.
void add_audit_command(CLI::App& root);

}  // namespace capstan::admin
