// `capstanctl apply -f PATH`: create what does not exist; otherwise merge the manifest onto the
// live object (strategic merge, as kubectl's client-side apply) and say whether anything changed.
#include <memory>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

// Whether the object after the merge is the one read before it, apart from what others may write
// meanwhile without changing what apply sets: a controller's status write moves the status, the
// resourceVersion and the status manager's entry in managedFields. (Comparing resourceVersions
// alone called a merge that changed nothing "configured" whenever such a write landed between
// the read and the merge.)
bool unchanged_by_merge(json before, json after) {
  for (json* o : {&before, &after}) {
    o->erase("status");
    if (auto meta = o->find("metadata"); meta != o->end() && meta->is_object()) {
      meta->erase("resourceVersion");
      meta->erase("managedFields");
    }
  }
  return before == after;
}

int apply(const std::vector<std::string>& files, const connection& c, std::ostream& out,
          std::ostream& err) {
  if (files.empty()) {
    err << "error: must specify -f\n";
    return 2;
  }
  auto loaded = manifests_or_report(files, err);
  if (!loaded)
    return 1;
  int failed = 0;
  for (const auto& m : loaded->objects) {
    object_kind kind = kind_of(m.object);
    const auto& meta = meta_of(m.object);
    std::string ns = meta.namespace_.empty() ? c.namespace_ : meta.namespace_;
    json body = to_json(m.object);
    body.erase("status");
    if (info(kind).namespaced)
      body["metadata"]["namespace"] = ns;
    auto live = call(c, "GET", object_path(kind, ns, meta.name));
    http_result r;
    std::string verb = "created";
    if (live.status == 404) {
      r = call(c, "POST", collection_path(kind, ns, false), json_text(body));
    } else if (live.status == 200) {
      r = call(c, "PATCH", object_path(kind, ns, meta.name), json_text(body),
               "application/strategic-merge-patch+json");
      if (r.status == 200)
        verb = unchanged_by_merge(json::parse(live.body, nullptr, false),
                                  json::parse(r.body, nullptr, false))
                   ? "unchanged"
                   : "configured";
    } else {
      r = live;
    }
    if (r.status == 200 || r.status == 201) {
      out << info(kind).singular << "/" << meta.name << " " << verb << "\n";
    } else {
      server_error(r, err, "error when applying \"" + m.source + "\": ");
      failed = 1;
    }
  }
  return failed;
}

}  // namespace

void add_apply_command(CLI::App& root, context& ctx) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd =
      root.add_subcommand("apply",
                          "Create the objects of manifest files, or merge them onto what exists "
                          "(created/configured/unchanged)");
  cmd->add_option("-f,--filename", *files,
                  "Files or directories of manifests (- for standard input)")
      ->allow_extra_args(false);
  cmd->callback([&ctx, files] {
    run_connected(ctx, [&](const connection& c) { return apply(*files, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
