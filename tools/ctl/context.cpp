#include "tools/ctl/context.hpp"

#include <ostream>

#include "tools/cli/cli.hpp"

namespace capstan::ctl {

void add_global_flags(CLI::App& root, context& ctx) {
  root.fallthrough();
  const std::string group = "Global flags";
  root.add_option("--kubeconfig", ctx.connection.kubeconfig,
                  "Path to the kubeconfig file (default $KUBECONFIG, then ~/.kube/config)")
      ->group(group);
  root.add_option("-s,--server", ctx.connection.server, "The address of the API server")
      ->group(group);
  root.add_option("--token", ctx.connection.token, "Bearer token for the API server")->group(group);
  root.add_option("-n,--namespace", ctx.connection.namespace_, "The namespace of the request")
      ->group(group);
  root.add_flag("--insecure-skip-tls-verify", ctx.connection.insecure,
                "Do not check the server's certificate")
      ->group(group);
}

void run_connected(context& ctx, const std::function<int(const connection&)>& command) {
  std::string why;
  auto c = resolve_connection(ctx.connection, &why);
  if (!c) {
    ctx.err << "error: " << why << "\n";
    cli::exit_with(1);
    return;
  }
  cli::exit_with(command(*c));
}

}  // namespace capstan::ctl
