// What every capstan command line shares (capstanctl, capstan, capstan-node, the benchmarks):
// CLI11 parsing with one set of exit codes and error messages.
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::cli {

// Parses argv into `app`; the chosen command's callback does its work during the parse and
// reports failure with exit_with(). Returns the process exit code:
//  - 0 after `--help`/`-h` on any command (help on stdout), or when the command succeeded;
//  - 2 for a usage error: an unknown flag ("error: unknown flag: --bogus"), an unknown command,
//    an unexpected argument, a bad or missing flag value, a missing required flag or
//    subcommand; one line naming it and a pointer to the command's --help, on stderr;
//  - the code the command passed to exit_with().
// No arguments at all print the root's help on stderr and exit 2.
int run(CLI::App& app, int argc, char** argv);

// Ends the running command with `code` (nothing happens for 0): what a callback calls.
void exit_with(int code);

// The conventions every capstan app follows: `-h,--help` on every command (inherited by the
// subcommands added later), help listing all subcommands.
void set_conventions(CLI::App& app);

// `help [COMMAND...]`: the help of the program or of one of its commands, as --help prints it.
void add_help_command(CLI::App& root);

// A command that groups subcommands (`capstanctl audit`, `capstan journal`): one is required,
// and names of commands above it are no longer recognized once it is chosen (so an object named
// "get" is an argument, not a command).
CLI::App* add_group(CLI::App& parent, const std::string& name, const std::string& description);

}  // namespace capstan::cli
