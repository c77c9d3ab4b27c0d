// `capstanctl create -f PATH` and `capstanctl delete TYPE NAME | -f PATH`: the objects of
// manifests (validated here first) created or deleted one by one, as kubectl reports them.
#include <memory>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct manifest_options {
  std::vector<std::string> args;   // delete TYPE NAME
  std::vector<std::string> files;  // -f
};

int create_or_delete(bool create, const manifest_options& p, const context& ctx,
                     const connection& c) {
  std::ostream& out = ctx.out;
  std::ostream& err = ctx.err;
  int failed = 0;
  if (!create && p.files.empty()) {
    object_kind kind;
    std::string name;
    if (int code = named_target(p.args, kind, name, err,
                                "You must provide one or more resources by argument or filename.",
                                "resource(s) were provided, but no name was specified"))
      return code;
    auto r = call(c, "DELETE", object_path(kind, c.namespace_, name),
                  R"({"propagationPolicy":"Background"})");
    if (r.status != 200)
      return server_error(r, err);
    out << info(kind).singular << " \"" << name << "\" deleted\n";
    return 0;
  }
  if (p.files.empty()) {
    err << "error: must specify one of -f and -k\n";
    return 2;
  }
  auto loaded = manifests_or_report(p.files, err);
  if (!loaded)
    return 1;
  for (const auto& m : loaded->objects) {
    object_kind kind = kind_of(m.object);
    const auto& meta = meta_of(m.object);
    // -n moves objects of the default namespace; one naming another keeps it.
    std::string ns = meta.namespace_ == "default" && !ctx.connection.namespace_.empty()
                         ? c.namespace_
                         : meta.namespace_;
    if (ns.empty())
      ns = c.namespace_;
    std::string context =
        std::string("error when ") + (create ? "creating" : "deleting") + " \"" + m.source + "\": ";
    http_result r;
    if (create) {
      json body = to_json(m.object);
      if (info(kind).namespaced)
        body["metadata"]["namespace"] = ns;
      r = call(c, "POST", collection_path(kind, ns, false), json_text(body));
      if (r.status == 201 || r.status == 200) {
        out << info(kind).singular << "/" << meta.name << " created\n";
        continue;
      }
    } else {
      r = call(c, "DELETE", object_path(kind, ns, meta.name),
               R"({"propagationPolicy":"Background"})");
      if (r.status == 200) {
        out << info(kind).singular << " \"" << meta.name << "\" deleted\n";
        continue;
      }
    }
    server_error(r, err, context);
    failed = 1;
  }
  return failed;
}

}  // namespace

void add_create_delete_commands(CLI::App& root, context& ctx) {
  for (bool create : {true, false}) {
    auto p = std::make_shared<manifest_options>();
    CLI::App* cmd = root.add_subcommand(
        create ? "create" : "delete",
        create ? "Create the objects of manifest files (validated here first)"
               : "Delete a resource by TYPE NAME, or the objects of manifest files");
    if (!create)
      cmd->add_option("RESOURCE", p->args, "TYPE NAME or TYPE/NAME");
    cmd->add_option("-f,--filename", p->files,
                    std::string("Files or directories of manifests to ") +
                        (create ? "create" : "delete") + " (- for standard input)")
        ->allow_extra_args(false);
    cmd->callback([&ctx, p, create] {
      run_connected(ctx, [&](const connection& c) { return create_or_delete(create, *p, ctx, c); });
    });
  }
}

}  // namespace capstan::ctl
