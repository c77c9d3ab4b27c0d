#include "tools/ctl/output.hpp"

#include <algorithm>
#include <ostream>

#include "messages/yaml_codec.hpp"

namespace capstan::ctl {

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

std::string map_text(const json& map) {
  if (!map.is_object() || map.empty())
    return "<none>";
  std::string out;
  for (auto it = map.begin(); it != map.end(); ++it)
    out +=
        (out.empty() ? "" : ",") + it.key() + "=" +
        (it.value().is_string() ? it.value().get<std::string>() : messages::json_text(it.value()));
  return out;
}

void print_table(const json& table, const table_options& options, std::ostream& out) {
  std::vector<std::size_t> shown;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  if (options.all_namespaces)
    header.push_back("NAMESPACE");
  const auto& defs = table["columnDefinitions"];
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (options.wide || defs[i].value("priority", 0) == 0) {
      shown.push_back(i);
      std::string h = defs[i].value("name", "");
      std::transform(h.begin(), h.end(), h.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      header.push_back(h);
    }
  if (options.show_labels)
    header.push_back("LABELS");
  rows.push_back(header);
  for (const auto& row : table["rows"]) {
    std::vector<std::string> cells;
    const auto& meta = row["object"]["metadata"];
    if (options.all_namespaces)
      cells.push_back(meta.value("namespace", ""));
    for (std::size_t i : shown) {
      const auto& cell = row["cells"][i];
      cells.push_back(cell.is_string() ? cell.get<std::string>() : messages::json_text(cell));
    }
    if (options.show_labels)
      cells.push_back(map_text(meta.value("labels", json::object())));
    rows.push_back(cells);
  }
  if (!options.headers)
    rows.erase(rows.begin());
  print_rows(rows, out);
}

bool print_objects(const json& doc, const std::string& format, std::ostream& out) {
  if (format == "json") {
    out << messages::json_text(doc, 4) << "\n";
  } else if (format == "yaml") {
    out << messages::to_yaml(doc);
  } else if (format == "name") {
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
    return false;
  }
  return true;
}

int server_error(const http_result& r, std::ostream& err, const std::string& context) {
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

}  // namespace capstan::ctl
