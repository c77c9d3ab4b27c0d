// capstan: the server-side binary. Parses the subcommand and hands over to its library.
#include <iostream>
#include <string>
#include <vector>

#include "tools/admin/bench_command.hpp"
#include "tools/admin/journal_command.hpp"
#include "tools/admin/master_command.hpp"
#include "tools/admin/node_command.hpp"

namespace {

const char* const usage = R"(capstan: an event-sourced container cluster manager

Usage:
  capstan master --data DIR [--join HOST:PORT] [--manifests PATH] [--fake-nodes N] ...
      run the control plane (capstan master --help)
  capstan node --master HOST:PORT --token-file FILE [--name N] [--address IP] ...
      a node agent: joins the master and runs its pods with runc (capstan node --help)
  capstan bench scheduling [--nodes N[,N...]] [--pods M] [--rc-size K] [--remote-procs P] [--json]
      the scheduling benchmark (capstan bench --help)
  capstan audit --data DIR history [TYPE[/NAME]] | at SEQ [TYPE]
      the audit trail of a journal read directly (also of a stopped master)
  capstan journal import|history|state|snapshot ...   offline journal tools (capstan journal help)
  capstan help
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "master")
    return capstan::admin::run_master_command({args.begin() + 1, args.end()});
  if (args[0] == "node")
    return capstan::admin::run_node_command({args.begin() + 1, args.end()});
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
