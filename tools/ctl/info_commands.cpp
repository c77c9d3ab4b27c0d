// `capstanctl version` and `capstanctl cluster-info`: what the client and the server are.
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

int cluster_info(const connection& c, std::ostream& out, std::ostream& err) {
  auto r = call(c, "GET", "/version");
  if (r.status != 200)
    return server_error(r, err);
  out << "capstan control plane is running at https://" << c.host << ":" << c.port << "\n";
  auto nodes = get_json(c, "/api/v1/nodes", err);
  if (nodes)
    out << "nodes: " << (*nodes)["items"].size() << "\n";
  return 0;
}

int version(const connection& c, std::ostream& out, std::ostream& err) {
  out << "Client Version: capstanctl 0.1.0\n";
  auto r = call(c, "GET", "/version");
  if (r.status != 200)
    return server_error(r, err);
  out << "Server Version: " << json::parse(r.body).value("gitVersion", "") << "\n";
  return 0;
}

}  // namespace

void add_info_commands(CLI::App& root, context& ctx) {
  root.add_subcommand("version", "Print the client and server versions")->callback([&ctx] {
    run_connected(ctx, [&](const connection& c) { return version(c, ctx.out, ctx.err); });
  });
  root.add_subcommand("cluster-info", "Print where the control plane runs and how many nodes")
      ->callback([&ctx] {
        run_connected(ctx, [&](const connection& c) { return cluster_info(c, ctx.out, ctx.err); });
      });
}

}  // namespace capstan::ctl
