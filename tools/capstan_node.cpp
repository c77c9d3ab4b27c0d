// capstan-node: the node agent's binary. It links no master code (nodeagent/, proxy/,
// common/, messages/ only); `capstan node ...` runs it too.
#include <cstring>

#include "nodeagent/nfs_user_mount.hpp"
#include "nodeagent/pod_connect.hpp"
#include "tools/cli/cli.hpp"
#include "tools/cli/completion.hpp"
#include "tools/node/node_command.hpp"

int main(int argc, char** argv) {
  using namespace capstan::admin;
  // The agent's own helper for kubectl port-forward (nodeagent/pod_connect.hpp), not a user's
  // command: run before anything starts a thread (it enters a network namespace).
  if (argc == 4 && std::strcmp(argv[1], "pod-connect") == 0)
    return capstan::nodeagent::pod_connect_main(argv[2], argv[3]);
  // The agent's NFS client for kernels without one (nodeagent/nfs_user_mount.hpp).
  if (argc >= 2 && std::strcmp(argv[1], "nfs-mount") == 0)
    return capstan::nodeagent::nfs_user_mount_main(argc - 1, argv + 1);
  CLI::App app{"capstan-node: a node agent; joins a master over mutual TLS and runs its pods",
               "capstan-node"};
  capstan::cli::set_conventions(app);
  node_flags flags;
  add_node_flags(app, flags);
  app.callback([&flags] {
    if (!complete(flags))
      capstan::cli::exit_with(2);
    capstan::cli::exit_with(run_node(flags));
  });
  return capstan::cli::run(app, argc, argv);
}
