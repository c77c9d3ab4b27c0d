// `capstanctl get TYPE[/NAME] [NAME]`: tables (or -o json|yaml|name), and -w, the changes after.
#include <memory>
#include <ostream>
#include <sstream>

#include "tools/cli/cli.hpp"
#include "tools/ctl/commands.hpp"
#include "tools/ctl/resources.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

constexpr const char* table_accept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

struct get_options {
  std::vector<std::string> args;
  std::string output, selector;
  bool all_namespaces = false, show_labels = false, watch = false, no_headers = false;

  table_options table() const {
    return {output == "wide", all_namespaces, show_labels, !no_headers};
  }
};

// get -w: after the table, one row per change, as kubectl prints them (no header).
int watch_rows(const get_options& p, const connection& c, object_kind kind, const std::string& rv,
               std::ostream& out, std::ostream& err) {
  std::string target =
      collection_path(kind, c.namespace_, p.all_namespaces) + "?watch=true&resourceVersion=" + rv;
  if (!p.selector.empty())
    target += "&labelSelector=" + url_encode(p.selector);
  out.flush();  // the table is on screen before the first change arrives
  std::string error;
  int status = stream_lines(
      c, target, table_accept,
      [&](const std::string& line) {
        if (line.empty())
          return true;
        auto event = json::parse(line, nullptr, false);
        if (event.is_discarded() || !event.contains("object"))
          return true;
        std::ostringstream rows;
        table_options with_header = p.table();
        with_header.headers = true;  // the widths the header gives, then the header dropped
        print_table(event["object"], with_header, rows);
        std::string text = rows.str();
        auto first_nl = text.find('\n');
        out << (first_nl == std::string::npos ? text : text.substr(first_nl + 1));
        out.flush();
        return static_cast<bool>(out);
      },
      &error);
  if (status != 200) {
    err << (error.empty() ? "error: the watch ended" : error) << "\n";
    return 1;
  }
  return 0;
}

int get(const get_options& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.args.empty()) {
    err << "error: You must specify the type of resource to get.\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  if (!target_of(p.args, kind, name, err))
    return 1;
  bool table = p.output.empty() || p.output == "wide";
  std::string target = name.empty() ? collection_path(kind, c.namespace_, p.all_namespaces)
                                    : object_path(kind, c.namespace_, name);
  if (name.empty() && !p.selector.empty())
    target += "?labelSelector=" + url_encode(p.selector);
  auto r = call(c, "GET", target, "", "", table ? table_accept : "application/json");
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  if (table) {
    if (doc["rows"].empty()) {
      if (p.all_namespaces || !info(kind).namespaced)
        err << "No resources found\n";
      else
        err << "No resources found in " << c.namespace_ << " namespace.\n";
    } else {
      print_table(doc, p.table(), out);
    }
    if (p.watch && name.empty())
      return watch_rows(p, c, kind, doc["metadata"].value("resourceVersion", ""), out, err);
    return 0;
  }
  if (doc.contains("items"))
    doc = {{"apiVersion", "v1"},
           {"items", doc["items"]},
           {"kind", "List"},
           {"metadata", {{"resourceVersion", ""}}}};
  print_objects(doc, p.output, out);
  return 0;
}

}  // namespace

void add_get_command(CLI::App& root, context& ctx) {
  auto p = std::make_shared<get_options>();
  CLI::App* cmd = root.add_subcommand("get", "Display one or many resources");
  cmd->add_option("RESOURCE", p->args, "TYPE[/NAME] [NAME]: pods, po/NAME, rc NAME, ...");
  cmd->add_option("-o,--output", p->output, "Output format")
      ->check(CLI::IsMember({"wide", "json", "yaml", "name"}));
  cmd->add_option("-l,--selector", p->selector, "Label selector to filter on (e.g. name=frontend)");
  cmd->add_flag("-A,--all-namespaces", p->all_namespaces, "List across all namespaces");
  cmd->add_flag("--show-labels", p->show_labels, "Show all labels as the last column");
  cmd->add_flag("--no-headers", p->no_headers, "Print tables without the header row");
  cmd->add_flag("-w,--watch", p->watch, "After listing, watch for changes");
  cmd->callback([&ctx, p] {
    run_connected(ctx, [&](const connection& c) { return get(*p, c, ctx.out, ctx.err); });
  });
}

}  // namespace capstan::ctl
