#include "tools/ctl/cluster_commands.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "messages/manifest.hpp"
#include "messages/yaml_codec.hpp"
#include "tools/ctl/connection.hpp"

namespace capstan::ctl {

namespace {

using namespace messages;

struct parsed_args {
  bool watch = false;
  std::string image;
  std::string update_period = "1s";
  bool rollback = false;
  connection_options conn;
  std::vector<std::string> positional;
  std::vector<std::string> files;
  std::string output, selector;
  bool all_namespaces = false, show_labels = false, overwrite = false;
  std::optional<int> replicas, current_replicas;
  std::string resource_version;
  std::string container;    // logs -c
  std::optional<int> tail;  // logs --tail
  bool follow = false;      // logs -f (only for logs, where -f is not a file)
};

bool parse(const std::vector<std::string>& args, parsed_args& p, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    auto eq = a.find('=');
    bool inline_value = a.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto take = [&]() -> bool {
      if (inline_value)
        return true;
      if (i + 1 >= args.size()) {
        err << "error: flag needs an argument: " << a << "\n";
        return false;
      }
      value = args[++i];
      return true;
    };
    auto number = [&](std::optional<int>& out) {
      if (!take())
        return false;
      try {
        out = std::stoi(value);
      } catch (...) {
        err << "error: invalid argument \"" << value << "\" for \"" << a << "\"\n";
        return false;
      }
      return true;
    };
    if (a == "--kubeconfig") {
      if (!take())
        return false;
      p.conn.kubeconfig = value;
    } else if (a == "-s" || a == "--server") {
      if (!take())
        return false;
      p.conn.server = value;
    } else if (a == "--token") {
      if (!take())
        return false;
      p.conn.token = value;
    } else if (a == "-n" || a == "--namespace") {
      if (!take())
        return false;
      p.conn.namespace_ = value;
    } else if (a == "--insecure-skip-tls-verify") {
      p.conn.insecure = true;
    } else if (a == "-A" || a == "--all-namespaces") {
      p.all_namespaces = true;
    } else if (a == "-o" || a == "--output") {
      if (!take())
        return false;
      p.output = value;
    } else if (a == "-l" || a == "--selector") {
      if (!take())
        return false;
      p.selector = value;
    } else if (a == "-f" || a == "--filename") {
      if (!take())
        return false;
      p.files.push_back(value);
    } else if (a == "--image") {
      if (!take())
        return false;
      p.image = value;
    } else if (a == "--update-period") {
      if (!take())
        return false;
      p.update_period = value;
    } else if (a == "-c" || a == "--container") {
      if (!take())
        return false;
      p.container = value;
    } else if (a == "--tail") {
      if (!number(p.tail))
        return false;
    } else if (a == "--follow") {
      p.follow = true;
    } else if (a == "--rollback") {
      p.rollback = true;
    } else if (a == "-w" || a == "--watch") {
      p.watch = true;
    } else if (a == "--show-labels") {
      p.show_labels = true;
    } else if (a == "--overwrite") {
      p.overwrite = true;
    } else if (a == "--replicas") {
      if (!number(p.replicas))
        return false;
    } else if (a == "--current-replicas") {
      if (!number(p.current_replicas))
        return false;
    } else if (a == "--resource-version") {
      if (!take())
        return false;
      p.resource_version = value;
    } else if (a.size() > 1 && a[0] == '-') {
      err << "error: unknown flag: " << a << "\n";
      return false;
    } else {
      p.positional.push_back(args[i]);
    }
  }
  return true;
}

std::string url_encode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string collection_path(object_kind kind, const std::string& ns, bool all_namespaces) {
  const std::string resource(info(kind).resource);
  if (!info(kind).namespaced || all_namespaces)
    return "/api/v1/" + resource;
  return "/api/v1/namespaces/" + ns + "/" + resource;
}

std::string object_path(object_kind kind, const std::string& ns, const std::string& name) {
  return collection_path(kind, ns, false) + "/" + name;
}

// Prints a server error as kubectl does; returns 1.
int server_error(const http_result& r, std::ostream& err, const std::string& context = "") {
  if (r.status == 0) {
    err << r.body << "\n";
    return 1;
  }
  try {
    auto status = json::parse(r.body);
    if (status.value("kind", "") == "Status") {
      std::string reason = status.value("reason", "");
      std::string message = status.value("message", "");
      if (reason == "Unauthorized") {
        err << "error: You must be logged in to the server (Unauthorized)\n";
      } else if (reason == "Invalid") {
        err << "The " << message << "\n";
      } else {
        err << "Error from server (" << reason << "): " << context << message << "\n";
      }
      return 1;
    }
  } catch (...) {
  }
  err << "Error from server: HTTP " << r.status << ": " << r.body << "\n";
  return 1;
}

// Resolves "pods", "po/name", "rc" into a kind (and name).
bool resolve_resource(const std::string& arg, object_kind& kind, std::string& name,
                      std::ostream& err) {
  std::string type = arg;
  auto slash = arg.find('/');
  if (slash != std::string::npos) {
    type = arg.substr(0, slash);
    name = arg.substr(slash + 1);
  }
  auto k = kind_from_resource(type);
  if (!k) {
    err << "error: the server doesn't have a resource type \"" << type << "\"\n";
    return false;
  }
  kind = *k;
  return true;
}

// The TYPE and NAME of "TYPE NAME" or "TYPE/NAME" arguments; false after printing why not.
bool target_of(const parsed_args& p, object_kind& kind, std::string& name, std::ostream& err) {
  if (p.positional.empty()) {
    err << "error: You must specify the type of resource.\n";
    return false;
  }
  name = p.positional.size() > 1 ? p.positional[1] : "";
  return resolve_resource(p.positional[0], kind, name, err);
}

void print_rows(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      width.resize(std::max(width.size(), r.size()));
      width[i] = std::max(width[i], r[i].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += r[i] + (i + 1 < r.size() ? std::string(width[i] - r[i].size() + 3, ' ') : "");
    out << line << "\n";
  }
}

void print_table(const json& table, bool wide, bool all_namespaces, bool show_labels,
                 std::ostream& out) {
  std::vector<std::size_t> shown;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  if (all_namespaces)
    header.push_back("NAMESPACE");
  const auto& defs = table["columnDefinitions"];
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (wide || defs[i].value("priority", 0) == 0) {
      shown.push_back(i);
      std::string h = defs[i].value("name", "");
      std::transform(h.begin(), h.end(), h.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      header.push_back(h);
    }
  if (show_labels)
    header.push_back("LABELS");
  rows.push_back(header);
  for (const auto& row : table["rows"]) {
    std::vector<std::string> cells;
    const auto& meta = row["object"]["metadata"];
    if (all_namespaces)
      cells.push_back(meta.value("namespace", ""));
    for (std::size_t i : shown) {
      const auto& cell = row["cells"][i];
      cells.push_back(cell.is_string() ? cell.get<std::string>() : json_text(cell));
    }
    if (show_labels) {
      std::string labels;
      if (meta.contains("labels"))
        for (auto it = meta["labels"].begin(); it != meta["labels"].end(); ++it)
          labels += (labels.empty() ? "" : ",") + it.key() + "=" + it.value().get<std::string>();
      cells.push_back(labels.empty() ? "<none>" : labels);
    }
    rows.push_back(cells);
  }
  print_rows(rows, out);
}

// get -w: after the table, one row per change, as kubectl prints them (no header).
int watch_rows(const parsed_args& p, const connection& c, object_kind kind, const std::string& rv,
               std::ostream& out, std::ostream& err) {
  std::string target =
      collection_path(kind, c.namespace_, p.all_namespaces) + "?watch=true&resourceVersion=" + rv;
  if (!p.selector.empty())
    target += "&labelSelector=" + url_encode(p.selector);
  out.flush();  // the table is on screen before the first change arrives
  std::string error;
  int status = stream_lines(
      c, target, "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
      [&](const std::string& line) {
        if (line.empty())
          return true;
        auto event = json::parse(line, nullptr, false);
        if (event.is_discarded() || !event.contains("object"))
          return true;
        json table = event["object"];
        std::ostringstream rows;
        print_table(table, p.output == "wide", p.all_namespaces, p.show_labels, rows);
        std::string text = rows.str();
        auto first_nl = text.find('\n');  // drop the header line
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

int get(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.empty()) {
    err << "error: You must specify the type of resource to get.\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  if (!target_of(p, kind, name, err))
    return 1;
  bool table = p.output.empty() || p.output == "wide";
  std::string target = name.empty() ? collection_path(kind, c.namespace_, p.all_namespaces)
                                    : object_path(kind, c.namespace_, name);
  if (name.empty() && !p.selector.empty())
    target += "?labelSelector=" + url_encode(p.selector);
  auto r = call(
      c, "GET", target, "", "",
      table ? "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" : "application/json");
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  if (table) {
    if (doc["rows"].empty()) {
      if (p.all_namespaces || !info(kind).namespaced)
        err << "No resources found\n";
      else
        err << "No resources found in " << c.namespace_ << " namespace.\n";
      if (p.watch && name.empty())
        return watch_rows(p, c, kind, doc["metadata"].value("resourceVersion", ""), out, err);
      return 0;
    }
    print_table(doc, p.output == "wide", p.all_namespaces, p.show_labels, out);
    if (p.watch && name.empty())
      return watch_rows(p, c, kind, doc["metadata"].value("resourceVersion", ""), out, err);
    return 0;
  }
  if (doc.contains("items"))
    doc = {{"apiVersion", "v1"},
           {"items", doc["items"]},
           {"kind", "List"},
           {"metadata", {{"resourceVersion", ""}}}};
  if (p.output == "json") {
    out << json_text(doc, 4) << "\n";
  } else if (p.output == "yaml") {
    out << to_yaml(doc);
  } else if (p.output == "name") {
    auto print_name = [&](const json& o) {
      std::string k = o.value("kind", "");
      std::transform(k.begin(), k.end(), k.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      out << k << "/" << o["metadata"].value("name", "") << "\n";
    };
    if (doc.contains("items"))
      for (const auto& o : doc["items"])
        print_name(o);
    else
      print_name(doc);
  } else {
    err << "error: unable to match a printer suitable for the output format \"" << p.output
        << "\", allowed formats are: json,name,wide,yaml\n";
    return 2;
  }
  return 0;
}

// TYPE NAME from the arguments, both required: 0, or the exit code after `no_arguments` or
// `no_name` (or target_of's own error) was printed.
int named_target(const parsed_args& p, object_kind& kind, std::string& name, std::ostream& err,
                 const char* no_arguments, const char* no_name) {
  if (p.positional.empty()) {
    err << "error: " << no_arguments << "\n";
    return 2;
  }
  if (!target_of(p, kind, name, err))
    return 1;
  if (name.empty()) {
    err << "error: " << no_name << "\n";
    return 2;
  }
  return 0;
}

// The manifests of `files`, or nothing after printing every problem found in them.
std::optional<manifest_set> manifests_or_report(const std::vector<std::string>& files,
                                                std::ostream& err) {
  manifest_set set = load_manifests(files);
  for (const auto& problem : set.problems)
    err << "error: " << problem.to_string() << "\n";
  if (!set.ok())
    return std::nullopt;
  return set;
}

int create_or_delete(bool create, parsed_args& p, const connection& c, std::ostream& out,
                     std::ostream& err) {
  int failed = 0;
  if (!create && p.files.empty()) {
    object_kind kind;
    std::string name;
    if (int code = named_target(p, kind, name, err,
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
  const manifest_set& set = *loaded;
  for (const auto& m : set.objects) {
    object_kind kind = kind_of(m.object);
    const auto& meta = meta_of(m.object);
    std::string ns =
        meta.namespace_ == "default" && !p.conn.namespace_.empty() ? c.namespace_ : meta.namespace_;
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

// apply -f: create what does not exist; otherwise merge the manifest onto the live object
// (strategic merge, as kubectl's client-side apply) and say whether anything changed.
int apply(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.files.empty()) {
    err << "error: must specify -f\n";
    return 2;
  }
  auto loaded = manifests_or_report(p.files, err);
  if (!loaded)
    return 1;
  const manifest_set& set = *loaded;
  int failed = 0;
  for (const auto& m : set.objects) {
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
      std::string before = json::parse(live.body)["metadata"].value("resourceVersion", "");
      r = call(c, "PATCH", object_path(kind, ns, meta.name), json_text(body),
               "application/strategic-merge-patch+json");
      if (r.status == 200)
        verb = json::parse(r.body)["metadata"].value("resourceVersion", "") == before
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

int scale(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.empty() || !p.replicas) {
    err << "error: scale needs a resource and --replicas\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  if (!target_of(p, kind, name, err))
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
  // Preconditions, as kubectl checks them (seed 000).
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

int label(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.size() < 2) {
    err << "error: label needs a resource, a name and key=value pairs\n";
    return 2;
  }
  object_kind kind;
  std::string name;
  std::size_t first_label = 1;
  if (!resolve_resource(p.positional[0], kind, name, err))
    return 1;
  if (name.empty())
    name = p.positional[first_label++];
  auto current = call(c, "GET", object_path(kind, c.namespace_, name));
  if (current.status != 200)
    return server_error(current, err);
  auto existing = json::parse(current.body)["metadata"].value("labels", json::object());
  json labels = json::object();
  for (std::size_t i = first_label; i < p.positional.size(); ++i) {
    const auto& l = p.positional[i];
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

// capstanctl audit history [TYPE/NAME | TYPE NAME | TYPE]; capstanctl audit at SEQ|TIME [TYPE]
int audit(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.empty() || (p.positional[0] != "history" && p.positional[0] != "at")) {
    err << "error: audit history [TYPE[/NAME]] | audit at SEQ|TIME [TYPE]\n";
    return 2;
  }
  if (p.positional[0] == "history") {
    std::string target = "/capstan/v1/history?namespace=" + url_encode(c.namespace_);
    if (p.positional.size() > 1) {
      object_kind kind;
      std::string name = p.positional.size() > 2 ? p.positional[2] : "";
      if (!resolve_resource(p.positional[1], kind, name, err))
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
  if (p.positional.size() < 2) {
    err << "error: audit at needs a sequence number or an RFC 3339 time\n";
    return 2;
  }
  const std::string& when = p.positional[1];
  bool is_seq = when.find_first_not_of("0123456789") == std::string::npos;
  auto r = call(c, "GET",
                "/capstan/v1/state?" + std::string(is_seq ? "at=" : "time=") + url_encode(when));
  if (r.status != 200)
    return server_error(r, err);
  auto doc = json::parse(r.body);
  std::optional<object_kind> only;
  if (p.positional.size() > 2) {
    object_kind kind;
    std::string ignored;
    if (!resolve_resource(p.positional[2], kind, ignored, err))
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
    std::string labels;
    if (meta.contains("labels"))
      for (auto it = meta["labels"].begin(); it != meta["labels"].end(); ++it)
        labels += (labels.empty() ? "" : ",") + it.key() + "=" + it.value().get<std::string>();
    rows.push_back({o.value("kind", ""), meta.value("namespace", "-"), meta.value("name", ""),
                    meta.value("resourceVersion", ""), labels.empty() ? "<none>" : labels});
  }
  print_rows(rows, out);
  return 0;
}

// ---- rolling-update (kubectl 1.0) ------------------------------------------------------------

std::optional<json> get_json(const connection& c, const std::string& path, std::ostream& err) {
  auto r = call(c, "GET", path);
  if (r.status != 200) {
    server_error(r, err);
    return std::nullopt;
  }
  return json::parse(r.body);
}

bool scale_to(const connection& c, const std::string& rc, int replicas, std::ostream& err) {
  json patch = {{"spec", {{"replicas", replicas}}}};
  auto r = call(c, "PATCH",
                object_path(object_kind::replication_controller, c.namespace_, rc) + "/scale",
                json_text(patch), "application/merge-patch+json");
  if (r.status != 200)
    server_error(r, err);
  return r.status == 200;
}

// Waits until the RC has `replicas` ready pods and no more than that (polling the API).
bool wait_ready(const connection& c, const std::string& rc, int replicas, std::ostream& err) {
  for (int i = 0; i < 1200; ++i) {
    auto doc = get_json(c, object_path(object_kind::replication_controller, c.namespace_, rc), err);
    if (!doc)
      return false;
    const auto& st = (*doc)["status"];
    if (st.value("readyReplicas", 0) >= replicas && st.value("replicas", 0) == replicas)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  err << "error: timed out waiting for " << rc << " to have " << replicas << " ready pods\n";
  return false;
}

std::string short_hash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : text)
    h = (h ^ ch) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h & 0xffffffffULL));
  return buf;
}

std::chrono::milliseconds parse_period(const std::string& text) {
  try {
    std::size_t pos = 0;
    double n = std::stod(text, &pos);
    std::string unit = text.substr(pos);
    double ms = unit == "ms" ? n : unit == "m" || unit == "m0s" ? n * 60000 : n * 1000;
    return std::chrono::milliseconds(static_cast<long long>(ms));
  } catch (...) {
    return std::chrono::seconds(1);
  }
}

// Adds deployment=<hash> to an RC's selector and template, and to its current pods, so that it
// and its successor never count each other's pods.
bool pin_old(const connection& c, const json& rc, const std::string& hash, std::ostream& err) {
  const std::string name = rc["metadata"].value("name", "");
  const std::string ns = c.namespace_;
  json selector = rc["spec"].value("selector", json::object());
  std::string query;
  for (auto it = selector.begin(); it != selector.end(); ++it)
    query += (query.empty() ? "" : ",") + it.key() + "=" + it.value().get<std::string>();
  auto pods = get_json(
      c, collection_path(object_kind::pod, ns, false) + "?labelSelector=" + url_encode(query), err);
  if (!pods)
    return false;
  for (const auto& p : (*pods)["items"]) {
    json patch = {{"metadata", {{"labels", {{"deployment", hash}}}}}};
    auto r = call(c, "PATCH", object_path(object_kind::pod, ns, p["metadata"].value("name", "")),
                  json_text(patch), "application/merge-patch+json");
    if (r.status != 200)
      return server_error(r, err), false;
  }
  json patch = {{"spec",
                 {{"selector", {{"deployment", hash}}},
                  {"template", {{"metadata", {{"labels", {{"deployment", hash}}}}}}}}}};
  auto r = call(c, "PATCH", object_path(object_kind::replication_controller, ns, name),
                json_text(patch), "application/merge-patch+json");
  if (r.status != 200)
    return server_error(r, err), false;
  return true;
}

int rolling_update(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.empty()) {
    err << "error: rolling-update NAME --image=IMAGE [--update-period=1s] | rolling-update NAME "
           "--rollback\n";
    return 2;
  }
  std::string old_name = p.positional[0];
  auto old_rc =
      get_json(c, object_path(object_kind::replication_controller, c.namespace_, old_name), err);
  if (!old_rc)
    return 1;
  const std::string prefix = old_name + "-";
  if (p.rollback) {
    // Find the successor an interrupted update left, scale the old one back, remove the new one.
    auto list =
        get_json(c, collection_path(object_kind::replication_controller, c.namespace_, false), err);
    if (!list)
      return 1;
    std::string next;
    for (const auto& rc : (*list)["items"]) {
      std::string n = rc["metadata"].value("name", "");
      if (n.rfind(prefix, 0) == 0 &&
          rc["spec"]["template"]["metadata"]["labels"].contains("deployment"))
        next = n;
    }
    if (next.empty()) {
      err << "error: no rolling update of " << old_name << " to roll back\n";
      return 1;
    }
    int desired =
        (*old_rc)["spec"].value("replicas", 0) +
        get_json(c, object_path(object_kind::replication_controller, c.namespace_, next), err)
            .value_or(json{{"spec", {{"replicas", 0}}}})["spec"]
            .value("replicas", 0);
    out << "Setting \"" << old_name << "\" replicas to " << desired << "\n";
    if (!scale_to(c, old_name, desired, err) || !wait_ready(c, old_name, desired, err))
      return 1;
    auto r =
        call(c, "DELETE", object_path(object_kind::replication_controller, c.namespace_, next));
    if (r.status != 200)
      return server_error(r, err);
    out << "Rollback succeeded. Deleted " << next << "\n";
    out << "replicationcontroller \"" << old_name << "\" rolled back\n";
    return 0;
  }
  if (p.image.empty()) {
    err << "error: --image is required (or --rollback)\n";
    return 2;
  }
  json old_template = (*old_rc)["spec"]["template"];
  if (old_template["spec"]["containers"].size() != 1) {
    err << "error: --image only works with replication controllers of one container\n";
    return 1;
  }
  if (old_template["spec"]["containers"][0].value("image", "") == p.image) {
    err << "error: " << old_name << " already runs " << p.image << "\n";
    return 1;
  }
  const int desired = (*old_rc)["spec"].value("replicas", 0);
  json new_template = old_template;
  new_template["spec"]["containers"][0]["image"] = p.image;
  std::string new_hash = short_hash(json_text(new_template));
  std::string old_hash =
      (*old_rc)["spec"]["selector"].value("deployment", short_hash(json_text(old_template)));
  std::string new_name = prefix + new_hash;
  if (!(*old_rc)["spec"]["selector"].contains("deployment") && !pin_old(c, *old_rc, old_hash, err))
    return 1;
  json new_rc = {
      {"apiVersion", "v1"},
      {"kind", "ReplicationController"},
      {"metadata",
       {{"name", new_name},
        {"namespace", c.namespace_},
        {"labels", (*old_rc)["metadata"].value("labels", json::object())}}},
      {"spec",
       {{"replicas", 0}, {"selector", (*old_rc)["spec"]["selector"]}, {"template", new_template}}}};
  new_rc["spec"]["selector"]["deployment"] = new_hash;
  new_rc["spec"]["template"]["metadata"]["labels"]["deployment"] = new_hash;
  auto created =
      call(c, "POST", collection_path(object_kind::replication_controller, c.namespace_, false),
           json_text(new_rc));
  if (created.status != 201 && created.status != 409)
    return server_error(created, err);
  out << "Created " << new_name << "\n";
  auto period = parse_period(p.update_period);
  int now_new = 0, now_old = desired;
  if (auto existing = get_json(
          c, object_path(object_kind::replication_controller, c.namespace_, new_name), err))
    now_new = (*existing)["spec"].value("replicas", 0);
  // One pod at a time: the service keeps between desired-1 and desired+1 pods throughout.
  while (now_new < desired || now_old > 0) {
    if (now_new < desired) {
      ++now_new;
      out << "Scaling " << new_name << " up to " << now_new << "\n";
      if (!scale_to(c, new_name, now_new, err) || !wait_ready(c, new_name, now_new, err))
        return 1;
    }
    if (now_old > 0) {
      --now_old;
      out << "Scaling " << old_name << " down to " << now_old << "\n";
      if (!scale_to(c, old_name, now_old, err) || !wait_ready(c, old_name, now_old, err))
        return 1;
    }
    out.flush();
    if (now_new < desired || now_old > 0)
      std::this_thread::sleep_for(period);
  }
  auto r =
      call(c, "DELETE", object_path(object_kind::replication_controller, c.namespace_, old_name));
  if (r.status != 200)
    return server_error(r, err);
  out << "Update succeeded. Deleting " << old_name << "\n";
  out << "replicationcontroller \"" << old_name << "\" rolling updated to \"" << new_name << "\"\n";
  return 0;
}

// ---- describe -------------------------------------------------------------------------------

std::string map_text(const json& m) {
  if (!m.is_object() || m.empty())
    return "<none>";
  std::string out;
  for (auto it = m.begin(); it != m.end(); ++it)
    out += (out.empty() ? "" : ",") + it.key() + "=" +
           (it.value().is_string() ? it.value().get<std::string>() : json_text(it.value()));
  return out;
}

void field(std::ostream& out, const std::string& name, const std::string& value, int indent = 0) {
  std::string label = std::string(indent, ' ') + name + ":";
  out << label << std::string(label.size() < 16 ? 16 - label.size() : 1, ' ') << value << "\n";
}

int describe(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  object_kind kind;
  std::string name;
  if (int code = named_target(p, kind, name, err, "describe TYPE NAME", "describe needs a name"))
    return code;
  auto o = get_json(c, object_path(kind, c.namespace_, name), err);
  if (!o)
    return 1;
  const auto& meta = (*o)["metadata"];
  const auto& spec = (*o).contains("spec") ? (*o)["spec"] : json::object();
  const auto& status = (*o).contains("status") ? (*o)["status"] : json::object();
  field(out, "Name", meta.value("name", ""));
  if (info(kind).namespaced)
    field(out, "Namespace", meta.value("namespace", ""));
  field(out, "Labels", map_text(meta.value("labels", json::object())));
  field(out, "Annotations", map_text(meta.value("annotations", json::object())));
  field(out, "Created", meta.value("creationTimestamp", ""));
  if (kind == object_kind::pod) {
    field(out, "Node", spec.value("nodeName", "<none>"));
    field(out, "Status", status.value("phase", ""));
    field(out, "IP", status.value("podIP", "<none>"));
    for (const auto& owner : meta.value("ownerReferences", json::array()))
      field(out, "Controlled By", owner.value("kind", "") + "/" + owner.value("name", ""));
    out << "Containers:\n";
    for (const auto& ct : spec.value("containers", json::array())) {
      out << "  " << ct.value("name", "") << ":\n";
      field(out, "Image", ct.value("image", ""), 4);
      for (const auto& port : ct.value("ports", json::array()))
        field(out, "Port",
              std::to_string(port.value("containerPort", 0)) + "/" + port.value("protocol", "TCP"),
              4);
      for (const auto& cs : status.value("containerStatuses", json::array()))
        if (cs.value("name", "") == ct.value("name", "")) {
          field(out, "State",
                cs["state"].contains("running")   ? "Running"
                : cs["state"].contains("waiting") ? "Waiting"
                                                  : "Terminated",
                4);
          field(out, "Ready", cs.value("ready", false) ? "True" : "False", 4);
          field(out, "Restart Count", std::to_string(cs.value("restartCount", 0)), 4);
        }
    }
    out << "Conditions:\n";
    for (const auto& cond : status.value("conditions", json::array()))
      out << "  " << cond.value("type", "") << "\t" << cond.value("status", "") << "\n";
  } else if (kind == object_kind::replication_controller) {
    field(out, "Selector", map_text(spec.value("selector", json::object())));
    field(out, "Replicas",
          std::to_string(status.value("replicas", 0)) + " current / " +
              std::to_string(spec.value("replicas", 0)) + " desired");
    field(out, "Pods Status", std::to_string(status.value("readyReplicas", 0)) + " Ready");
    for (const auto& ct : spec["template"]["spec"].value("containers", json::array()))
      field(out, "Image", ct.value("image", ""));
  } else if (kind == object_kind::service) {
    field(out, "Selector", map_text(spec.value("selector", json::object())));
    field(out, "Type", spec.value("type", ""));
    field(out, "IP", spec.value("clusterIP", ""));
    for (const auto& port : spec.value("ports", json::array())) {
      field(out, "Port",
            port.value("name", "<unset>") + "  " + std::to_string(port.value("port", 0)) + "/" +
                port.value("protocol", "TCP"));
      field(out, "TargetPort",
            port["targetPort"].is_string() ? port["targetPort"].get<std::string>()
                                           : json_text(port["targetPort"]));
      if (port.value("nodePort", 0))
        field(out, "NodePort", std::to_string(port.value("nodePort", 0)));
    }
    if (auto ep = get_json(c, object_path(object_kind::endpoints, c.namespace_, name), err)) {
      std::string addresses;
      for (const auto& subset : (*ep).value("subsets", json::array()))
        for (const auto& a : subset.value("addresses", json::array()))
          for (const auto& port : subset.value("ports", json::array()))
            addresses += (addresses.empty() ? "" : ",") + a.value("ip", "") + ":" +
                         std::to_string(port.value("port", 0));
      field(out, "Endpoints", addresses.empty() ? "<none>" : addresses);
    }
  } else if (kind == object_kind::node) {
    field(out, "PodCIDR", spec.value("podCIDR", ""));
    out << "Conditions:\n";
    for (const auto& cond : status.value("conditions", json::array()))
      out << "  " << cond.value("type", "") << "\t" << cond.value("status", "") << "\t"
          << cond.value("reason", "") << "\n";
    out << "Addresses:\n";
    for (const auto& a : status.value("addresses", json::array()))
      out << "  " << a.value("type", "") << ":\t" << a.value("address", "") << "\n";
    out << "Capacity:\n";
    json capacity = status.value("capacity", json::object());
    for (auto it = capacity.begin(); it != capacity.end(); ++it)
      out << "  " << it.key() << ":\t" << it.value().get<std::string>() << "\n";
  }
  // Events about it, from the journal's projection.
  std::string selector =
      "involvedObject.name=" + name + ",involvedObject.kind=" + std::string(info(kind).name);
  std::string events_ns = info(kind).namespaced ? c.namespace_ : "default";
  auto events = get_json(
      c, "/api/v1/namespaces/" + events_ns + "/events?fieldSelector=" + url_encode(selector), err);
  out << "Events:";
  if (!events || (*events)["items"].empty()) {
    out << "  <none>\n";
    return 0;
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows = {{"  Type", "Reason", "Count", "From", "Message"},
                                                {"  ----", "------", "-----", "----", "-------"}};
  for (const auto& e : (*events)["items"])
    rows.push_back({"  " + e.value("type", ""), e.value("reason", ""),
                    std::to_string(e.value("count", 1)), e["source"].value("component", ""),
                    e.value("message", "")});
  print_rows(rows, out);
  return 0;
}

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

// logs POD [-c C] [-f] [--tail N]: the container's output, as kubectl logs prints it.
int logs(parsed_args& p, const connection& c, std::ostream& out, std::ostream& err) {
  if (p.positional.size() != 1) {
    err << "error: expected 'logs POD [-c CONTAINER]'\n";
    return 2;
  }
  std::string name = p.positional[0];
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

bool is_cluster_command(const std::string& command) {
  static const std::set<std::string> commands = {
      "get",   "create",         "delete",   "scale",        "label", "version",
      "audit", "rolling-update", "describe", "cluster-info", "apply", "logs"};
  return commands.count(command) > 0;
}

int run_cluster_command(const std::string& command, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err) {
  parsed_args p;
  std::vector<std::string> own = args;
  if (command == "logs")  // kubectl logs -f follows; it names no file
    for (auto& a : own)
      if (a == "-f")
        a = "--follow";
  if (!parse(own, p, err))
    return 2;
  std::string why;
  auto c = resolve_connection(p.conn, &why);
  if (!c) {
    err << "error: " << why << "\n";
    return 1;
  }
  if (command == "get")
    return get(p, *c, out, err);
  if (command == "create")
    return create_or_delete(true, p, *c, out, err);
  if (command == "delete")
    return create_or_delete(false, p, *c, out, err);
  if (command == "scale")
    return scale(p, *c, out, err);
  if (command == "label")
    return label(p, *c, out, err);
  if (command == "audit")
    return audit(p, *c, out, err);
  if (command == "rolling-update")
    return rolling_update(p, *c, out, err);
  if (command == "describe")
    return describe(p, *c, out, err);
  if (command == "apply")
    return apply(p, *c, out, err);
  if (command == "cluster-info")
    return cluster_info(*c, out, err);
  if (command == "logs")
    return logs(p, *c, out, err);
  return version(*c, out, err);
}

}  // namespace capstan::ctl
