// capstanctl: capstan's command-line client. Parses flags and runs one command.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tools/ctl/cluster_commands.hpp"
#include "tools/ctl/validate_command.hpp"

namespace {

const char* const usage = R"(capstanctl: the capstan cluster client

Usage:
  capstanctl validate -f PATH [-f PATH ...] [-R] [-o name|json|yaml]
      Parse, default and validate manifests offline (YAML or JSON, files or directories,
      multi-document). Prints kind/name per object; on any problem prints each one with
      its file and field path and exits 1.
  capstanctl get TYPE[/NAME] [NAME] [-o wide|yaml|json|name] [-l SELECTOR] [-A] [--show-labels] [-w]
  capstanctl create -f PATH ...
  capstanctl apply -f PATH ...               create, or merge onto what exists (configured/unchanged)
  capstanctl delete TYPE NAME | -f PATH ...
  capstanctl scale rc NAME --replicas=N [--current-replicas=N] [--resource-version=V]
  capstanctl label TYPE NAME key=value ... [key-] [--overwrite]
  capstanctl rolling-update NAME --image=IMAGE [--update-period=1s] | rolling-update NAME --rollback
      kubectl 1.0's rolling update: a new RC NAME-<hash> scaled up one pod at a time while
      NAME is scaled down; --rollback undoes an interrupted one
  capstanctl describe TYPE NAME              the object with its events
  capstanctl logs POD [-c CONTAINER] [-f] [--tail N]
  capstanctl cluster-info
  capstanctl version
  capstanctl audit history [TYPE[/NAME]]     every change of an object (or all): who, when, what
  capstanctl audit at SEQ|TIME [TYPE]        the cluster as it was (TIME: 2026-11-22T01:00:00Z)
      Cluster commands take --kubeconfig FILE (or $KUBECONFIG, or ~/.kube/config),
      -s/--server URL, --token TOKEN, -n/--namespace NS, as kubectl does.
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
  // Global flags may come before the command, as with kubectl: `--kubeconfig F get pods`.
  std::vector<std::string> before, rest;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!command.empty()) {
      rest.push_back(a);
    } else if (a.size() > 1 && a[0] == '-' && a != "-h" && a != "--help") {
      before.push_back(a);
      bool takes_value = a == "--kubeconfig" || a == "-s" || a == "--server" || a == "--token" ||
                         a == "-n" || a == "--namespace";
      if (takes_value && i + 1 < argc)
        before.push_back(argv[++i]);
    } else {
      command = a;
    }
  }
  if (command.empty() || command == "help" || command == "--help" || command == "-h") {
    std::cout << usage;
    return command.empty() ? 2 : 0;
  }
  if (command == "validate") {
    std::vector<char*> args;
    for (int i = 1; i < argc; ++i)
      if (argv[i] != command)
        args.push_back(argv[i]);
    return validate(static_cast<int>(args.size()), args.data());
  }
  if (capstan::ctl::is_cluster_command(command)) {
    before.insert(before.end(), rest.begin(), rest.end());
    return capstan::ctl::run_cluster_command(command, before, std::cout, std::cerr);
  }
  std::cerr << "error: unknown command " << command << "\n" << usage;
  return 2;
}
