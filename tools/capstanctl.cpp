// capstanctl: capstan's command-line client. Parses flags and runs one command.
#include <cstring>
#include <iostream>
#include <string>

#include "tools/ctl/validate_command.hpp"

namespace {

const char* const usage = R"(capstanctl: the capstan cluster client

Usage:
  capstanctl validate -f PATH [-f PATH ...] [-R] [-o name|json|yaml]
      Parse, default and validate manifests offline (YAML or JSON, files or directories,
      multi-document). Prints kind/name per object; on any problem prints each one with
      its file and field path and exits 1.
  capstanctl help
)";

int validate(int argc, char** argv) {
  capstan::ctl::validate_options options;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* flag) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "error: flag " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "-f" || arg == "--filename")
      options.paths.push_back(value("-f"));
    else if (arg.rfind("--filename=", 0) == 0)
      options.paths.push_back(arg.substr(11));
    else if (arg == "-R" || arg == "--recursive")
      options.recursive = true;
    else if (arg == "-o" || arg == "--output")
      options.output = value("-o");
    else if (arg.rfind("-o", 0) == 0 && arg.size() > 2)
      options.output = arg.substr(arg[2] == '=' ? 3 : 2);
    else if (arg.rfind("--output=", 0) == 0)
      options.output = arg.substr(9);
    else {
      std::cerr << "error: unknown argument " << arg << " for validate\n" << usage;
      return 2;
    }
  }
  if (options.paths.empty()) {
    std::cerr << "error: validate needs at least one -f PATH\n";
    return 2;
  }
  if (!options.output.empty() && options.output != "name" && options.output != "json" &&
      options.output != "yaml") {
    std::cerr << "error: output format " << options.output << " is not one of name, json, yaml\n";
    return 2;
  }
  return capstan::ctl::run_validate(options, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    std::cout << usage;
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  if (command == "validate")
    return validate(argc - 2, argv + 2);
  std::cerr << "error: unknown command " << command << "\n" << usage;
  return 2;
}
