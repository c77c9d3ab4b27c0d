// Shell completion generated from a CLI11 command tree, so it cannot drift from the commands:
// `capstanctl completion bash`, as kubectl has it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace capstan::cli {

// How the arguments of the commands that name objects complete, as kubectl's do: resource
// types first, then the names of that type's objects, asked of the server as the user would
// (`BINARY GLOBAL-FLAGS... get TYPE -o name`, with the global flags typed so far, so the same
// server, token and namespace; at most 5 s).
struct object_completion {
  // Command path ("get", "audit history") -> the type its arguments are of, or "" when its
  // first argument is the type (TYPE NAME or TYPE/NAME).
  std::map<std::string, std::string> commands;
  std::vector<std::string> types;  // every resource type spelling: "pods", "po", "rc", ...
};

// A bash script that, when sourced, completes `root`'s binary: subcommands at every level, the
// flags of the command being typed (with its ancestors' when they fall through, as capstanctl's
// global flags do), the choices of a flag that has a fixed set, the types and names of objects
// where `objects` says so, and file names otherwise.
std::string bash_completion(const CLI::App& root, const object_completion& objects = {});

// Adds `completion SHELL` (bash) to `root`, printing bash_completion(root, objects) to stdout.
void add_completion_command(CLI::App& root, object_completion objects = {});

}  // namespace capstan::cli
