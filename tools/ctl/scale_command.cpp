// `capstanctl scale rc NAME --replicas=N`, with kubectl's preconditions (--current-replicas,
// --resource-version; seed 000).
#include <memory>
#include <optional>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct scale_options {
  std::vector<std::string> args;
  std::optional<int> replicas, current_replicas;
  std::string resource_version;
};

int scale(const scale_options& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.args.empty() || !p.replicas) {
    err << "error: scale needs a resource and --replicas\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  if (!target_of(p.args, kind, name, err))
    return 1;
  if (kind != object_kind::replication_controller || name.empty()) {
    err << "error: capstanctl scales replication controllers: scale rc NAME --replicas=N\n";
    return 2;
  }
  std::string path = object_path(kind, c.namespace_, name) + "/scale";
  auto current = call(c, "GET", path);
  if (current.status != 200)
    return server_error(current, err);
  auto scale_doc = json::parse(current.body);
  int now = scale_doc["spec"].value("replicas", 0);
  if (p.current_replicas && *p.current_replicas != now) {
    err << "error: Expected replicas to be " << *p.current_replicas << ", was " << now << "\n";
    return 1;
  }
  std::string rv = scale_doc["metadata"].value("resourceVersion", "");
  if (!p.resource_version.empty() && p.resource_version != rv) {
    err << "error: Expected resource version to be " << p.resource_version << ", was " << rv
        << "\n";
    return 1;
  }
  scale_doc["spec"]["replicas"] = *p.replicas;
  if (p.resource_version.empty() && !p.current_replicas)
    scale_doc["metadata"].erase("resourceVersion");
  auto r = call(c, "PUT", path, json_text(scale_doc));
  if (r.status != 200)
    return server_error(r, err);
  out << info(kind).singular << "/" << name << " scaled\n";
  return 0;
}

}  // namespace

void add_scale_command(CLI::App& root, context& ctx) {
  auto p = std::make_shared<scale_options>();
  CLI::App* cmd = root.add_subcommand("scale", "Set a replication controller's replicas");
  cmd->add_option("RESOURCE", p->args, "rc NAME or rc/NAME");
  cmd->add_option("--replicas", p->replicas, "The new number of replicas")->required();
  cmd->add_option("--current-replicas", p->current_replicas,
                  "Precondition: scale only if the replicas are this now");
  cmd->add_option("--resource-version", p->resource_version,
                  "Precondition: scale only if the resource version is this now");
  cmd->callback([&ctx, p] {
    run_connected(ctx, [&](const connection& c) { return scale(*p, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
