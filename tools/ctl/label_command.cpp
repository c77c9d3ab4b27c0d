// `capstanctl label TYPE NAME key=value ... [key-] [--overwrite]`: a merge patch of the labels.
#include <memory>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct label_options {
  std::vector<std::string> args;
  bool overwrite = false;
};

int label(const label_options& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.args.size() < 2) {
    err << "error: label needs a resource, a name and key=value pairs\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  std::size_t first_label = 1;
  if (!resolve_resource(p.args[0], kind, name, err))
    return 1;
  if (name.empty())
    name = p.args[first_label++];
  auto current = call(c, "GET", object_path(kind, c.namespace_, name));
  if (current.status != 200)
    return server_error(current, err);
  auto existing = json::parse(current.body)["metadata"].value("labels", json::object());
  json labels = json::object();
  for (std::size_t i = first_label; i < p.args.size(); ++i) {
    const auto& l = p.args[i];
    if (!l.empty() && l.back() == '-') {
      labels[l.substr(0, l.size() - 1)] = nullptr;
      continue;
    }
    auto eq = l.find('=');
    if (eq == std::string::npos) {
      err << "error: at least one label update is required; \"" << l
          << "\" is not key=value or key-\n";
      return 2;
    }
    std::string k = l.substr(0, eq), v = l.substr(eq + 1);
    if (existing.contains(k) && existing[k] != v && !p.overwrite) {
      err << "error: '" << k << "' already has a value (" << existing[k].get<std::string>()
          << "), and --overwrite is false\n";
      return 1;
    }
    labels[k] = v;
  }
  json patch = {{"metadata", {{"labels", labels}}}};
  auto r = call(c, "PATCH", object_path(kind, c.namespace_, name), json_text(patch),
                "application/merge-patch+json");
  if (r.status != 200)
    return server_error(r, err);
  out << info(kind).singular << "/" << name << " labeled\n";
  return 0;
}

}  // namespace

void add_label_command(CLI::App& root, context& ctx) {
  auto p = std::make_shared<label_options>();
  CLI::App* cmd = root.add_subcommand("label", "Update the labels of a resource");
  cmd->add_option("RESOURCE", p->args, "TYPE NAME key=value ... (key- removes key)");
  cmd->add_flag("--overwrite", p->overwrite, "Replace a label that already has another value");
  cmd->callback([&ctx, p] {
    run_connected(ctx, [&](const connection& c) { return label(*p, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
