// How capstanctl prints, as kubectl does: aligned tables, the API's Table responses, objects as
// json/yaml/name, and the server's errors.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "messages/json_codec.hpp"
#include "tools/ctl/connection.hpp"

namespace capstan::ctl {

using messages::json;

// Rows in columns three spaces apart; the first row is usually the header.
void print_rows(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

struct table_options {
  bool wide = false;            // -o wide: the columns of every priority
  bool all_namespaces = false;  // a NAMESPACE column first
  bool show_labels = false;     // a LABELS column last
  bool headers = true;          // --no-headers leaves the header row out
};

// A meta.k8s.io Table (what the API answers to Accept: ...;as=Table) as kubectl prints it.
void print_table(const json& table, const table_options& options, std::ostream& out);

// "k=v,k2=v2", or "<none>" for an empty or missing map.
std::string map_text(const json& map);

// An object or a list of them in -o json, yaml or name (kind/name, the kind in lower case).
// False for any other format (nothing printed).
bool print_objects(const json& doc, const std::string& format, std::ostream& out);

// A failed request as kubectl reports it ("Error from server (NotFound): ..."), prefixed by
// `context`; returns 1, the exit code of a command that failed this way.
int server_error(const http_result& r, std::ostream& err, const std::string& context = "");

}  // namespace capstan::ctl
