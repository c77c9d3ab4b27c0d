// Shell completion generated from a CLI11 command tree, so it cannot drift from the commands:
// `capstanctl completion bash`, as kubectl has it.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace capstan::cli {

// A bash script that, when sourced, completes `root`'s binary: subcommands at every level, the
// flags of the command being typed (with its ancestors' when they fall through, as capstanctl's
// global flags do), the choices of a flag that has a fixed set, and file names otherwise.
std::string bash_completion(const CLI::App& root);

// Adds `completion SHELL` (bash) to `root`, printing bash_completion(root) to stdout.
void add_completion_command(CLI::App& root);

}  // namespace capstan::cli
