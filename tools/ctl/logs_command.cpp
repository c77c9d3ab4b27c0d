// `capstanctl logs POD [-c CONTAINER] [-f] [--tail N]`: a container's output, as kubectl logs
// prints it; -f follows it (here -f is --follow, not a file, as in kubectl).
#include <memory>
#include <optional>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct logs_options {
  std::string pod;
  std::string container;
  std::optional<int> tail;
  bool follow = false;
};

int logs(const logs_options& p, const connection& c, std::ostream& out, std::ostream& err) {
  std::string name = p.pod;
  if (name.rfind("pod/", 0) == 0 || name.rfind("pods/", 0) == 0 || name.rfind("po/", 0) == 0)
    name = name.substr(name.find('/') + 1);
  std::string target = object_path(object_kind::pod, c.namespace_, name) + "/log?";
  if (!p.container.empty())
    target += "container=" + url_encode(p.container) + "&";
  if (p.tail && *p.tail >= 0)
    target += "tailLines=" + std::to_string(*p.tail) + "&";
  if (!p.follow) {
    auto r = call(c, "GET", target, "", "application/json", "*/*");
    if (r.status != 200)
      return server_error(r, err);
    out << r.body;
    return 0;
  }
  std::string why;
  int status = stream_lines(
      c, target + "follow=true", "*/*",
      [&](const std::string& line) {
        out << line << "\n" << std::flush;
        return true;
      },
      &why);
  if (status == 0) {
    err << why << "\n";
    return 1;
  }
  if (status != 200)
    return server_error({status, why}, err);
  return 0;
}

}  // namespace

void add_logs_command(CLI::App& root, context& ctx) {
  auto p = std::make_shared<logs_options>();
  CLI::App* cmd = root.add_subcommand("logs", "Print the logs of a container in a pod");
  cmd->add_option("POD", p->pod, "POD or pod/POD")->required();
  cmd->add_option("-c,--container", p->container, "The container (default: the pod's only one)");
  cmd->add_flag("-f,--follow", p->follow, "Stream the logs as they are written");
  cmd->add_option("--tail", p->tail, "Only the last N lines (-1: all)");
  cmd->callback([&ctx, p] {
    run_connected(ctx, [&](const connection& c) { return logs(*p, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
