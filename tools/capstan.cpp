// capstan: the server-side binary. Parses the subcommand and hands over to its library.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tools/admin/bench_command.hpp"
#include "tools/admin/journal_command.hpp"
#include "tools/admin/master_command.hpp"

namespace {

const char* const usage = R"(capstan: an event-sourced container cluster manager

Usage:
  capstan master --data DIR [--join HOST:PORT] [--manifests PATH] [--fake-nodes N] ...
      run the control plane (capstan master --help)
  capstan node --master HOST:PORT --token-file FILE [--name N] [--address IP] ...
      a node agent: joins the master and runs its pods with runc (capstan node --help);
      runs the capstan-node binary installed beside this one
  capstan bench scheduling [--nodes N[,N...]] [--pods M] [--rc-size K] [--remote-procs P] [--json]
      the scheduling benchmark (capstan bench --help)
  capstan audit --data DIR history [TYPE[/NAME]] | at SEQ [TYPE]
      the audit trail of a journal read directly (also of a stopped master)
  capstan journal import|history|state|snapshot ...   offline journal tools (capstan journal help)
  capstan help
)";

// `capstan node ...` is `capstan-node ...` from the same directory (the node binary carries
// no master code); returns only when it cannot be started.
int run_node_binary(const std::vector<std::string>& args) {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string();
  dir = dir.substr(0, dir.rfind('/') + 1);
  std::string binary = dir + "capstan-node";
  std::vector<char*> argv{binary.data()};
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  std::cerr << "capstan: cannot run " << binary << ": " << std::strerror(errno) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  // The master's threads (CAF workers, API io threads and handler pools) would each get a
  // malloc arena (up to 8 per core); arenas fragment with the read model's many small objects
  // and raise the peak RSS by ~10 % for nothing: four are enough for the threads that allocate.
  mallopt(M_ARENA_MAX, 4);
  if (args[0] == "master")
    return capstan::admin::run_master_command({args.begin() + 1, args.end()});
  if (args[0] == "node")
    return run_node_binary({args.begin() + 1, args.end()});
  if (args[0] == "bench")
    return capstan::admin::run_bench_command({args.begin() + 1, args.end()});
  if (args[0] == "audit")
    return capstan::admin::run_audit_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
  if (args[0] == "journal")
    return capstan::admin::run_journal_command({args.begin() + 1, args.end()}, std::cout,
                                               std::cerr);
  std::cerr << "error: unknown command \"" << args[0] << "\"\n" << usage;
  return 2;
}
