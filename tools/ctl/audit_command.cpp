// `capstanctl audit history [TYPE[/NAME]]` (every change: who, when, what) and
// `capstanctl audit at SEQ|TIME [TYPE]` (the cluster as it was), from the master's journal.
#include <algorithm>
#include <memory>
#include <optional>
#include <ostream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

int history(const std::vector<std::string>& args, const connection& c, std::ostream& out,
            std::ostream& err) {
  std::string target = "/capstan/v1/history?namespace=" + url_encode(c.namespace_);
  if (!args.empty()) {
    object_kind kind;
    std::string name = args.size() > 1 ? args[1] : "";
    if (!resolve_resource(args[0], kind, name, err))
      return 1;
    target += "&kind=" + std::string(info(kind).resource) +
              (name.empty() ? "" : "&name=" + url_encode(name));
  }
  auto r = call(c, "GET", target);
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  std::vector<std::vector<std::string>> rows = {
      {"SEQ", "TIME", "WHO", "EVENT", "OBJECT", "CHANGE"}};
  for (const auto& i : doc["items"]) {
    std::string kind = i.value("kind", "");
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    std::string ns = i.value("namespace", "");
    rows.push_back({std::to_string(i.value("seq", uint64_t{0})), i.value("time", ""),
                    i.value("cause", ""), i.value("event", ""),
                    kind + "/" + (ns.empty() ? "" : ns + "/") + i.value("name", ""),
                    i.value("change", "")});
  }
  if (rows.size() == 1) {
    err << "No events found.\n";
    return 0;
  }
  print_rows(rows, out);
  return 0;
}

int at(const std::string& when, const std::string& type, const connection& c, std::ostream& out,
       std::ostream& err) {
  bool is_seq = when.find_first_not_of("0123456789") == std::string::npos;
  auto r = call(c, "GET",
                "/capstan/v1/state?" + std::string(is_seq ? "at=" : "time=") + url_encode(when));
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  std::optional<object_kind> only;
  if (!type.empty()) {
    object_kind kind;
    std::string ignored;
    if (!resolve_resource(type, kind, ignored, err))
      return 1;
    only = kind;
  }
  out << "the cluster at seq " << doc["metadata"].value("resourceVersion", "") << ":\n";
  std::vector<std::vector<std::string>> rows = {{"KIND", "NAMESPACE", "NAME", "VERSION", "LABELS"}};
  for (const auto& o : doc["items"]) {
    auto kind = kind_from_name(o.value("kind", ""));
    if (only && kind != only)
      continue;
    const auto& meta = o["metadata"];
    rows.push_back({o.value("kind", ""), meta.value("namespace", "-"), meta.value("name", ""),
                    meta.value("resourceVersion", ""),
                    map_text(meta.value("labels", json::object()))});
  }
  print_rows(rows, out);
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& root, context& ctx) {
  CLI::App* audit = cli::add_group(root, "audit", "The cluster's history, from its journal");

  auto object = std::make_shared<std::vector<std::string>>();
  CLI::App* h = audit->add_subcommand(
      "history", "Every change of an object (or of all): sequence, time, who, event, change");
  h->add_option("OBJECT", *object, "TYPE, TYPE/NAME or TYPE NAME (default: everything)");
  h->callback([&ctx, object] {
    run_connected(ctx, [&](const connection& c) { return history(*object, c, ctx.out, ctx.err); });
  });

  auto when = std::make_shared<std::string>(), type = std::make_shared<std::string>();
  CLI::App* a = audit->add_subcommand("at", "The cluster as it was right after a record");
  a->add_option("WHEN", *when, "A sequence number, or an RFC 3339 time (2026-11-22T01:00:00Z)")
      ->required();
  a->add_option("TYPE", *type, "Only objects of this TYPE");
  a->callback([&ctx, when, type] {
    run_connected(ctx, [&](const connection& c) { return at(*when, *type, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
