// capstan: the server-side binary. The one list of its commands; CLI11 dispatches.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tools/admin/audit_command.hpp"
#include "tools/admin/bench_command.hpp"
#include "tools/admin/journal_command.hpp"
#include "tools/admin/master_command.hpp"
#include "tools/cli/cli.hpp"
#include "tools/cli/completion.hpp"
#include "tools/node/node_flags.hpp"

namespace {

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
  using namespace capstan::admin;
  // The master's threads (CAF workers, API io threads and handler pools) would each get a
  // malloc arena (up to 8 per core); arenas fragment with the read model's many small objects
  // and raise the peak RSS by ~10 % for nothing: four are enough for the threads that allocate.
  // (glibc's malloc only: sanitizer builds and CAPSTAN_ALLOCATOR=system. jemalloc ignores it.)
  mallopt(M_ARENA_MAX, 4);
  CLI::App app{"capstan: an event-sourced container cluster manager", "capstan"};
  capstan::cli::set_conventions(app);
  app.require_subcommand(1);
  add_master_command(app);
  // The flags are checked here (and completed) as capstan-node checks them, then it runs.
  node_flags node;
  CLI::App* node_cmd =
      app.add_subcommand("node",
                         "A node agent: joins the master and runs its pods with runc (runs the "
                         "capstan-node binary installed beside this one)");
  add_node_flags(*node_cmd, node);
  node_cmd->callback([argc, argv] {
    capstan::cli::exit_with(run_node_binary({argv + 2, argv + argc}));
  });
  add_bench_command(app);
  add_audit_command(app);
  add_journal_command(app);
  capstan::cli::add_completion_command(app);
  capstan::cli::add_help_command(app);
  app.footer("Use \"capstan COMMAND --help\" for a command's flags.");
  return capstan::cli::run(app, argc, argv);
}
