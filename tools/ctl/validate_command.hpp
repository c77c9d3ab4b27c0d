// `capstanctl validate`: parse, default and validate manifests offline.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace capstan::ctl {

struct validate_options {
  std::vector<std::string> paths;  // files, directories, or "-" for standard input
  bool recursive = false;
  std::string output;  // "" (kind/name lines), "name", "json" or "yaml"
};

// Prints one "kind/name" line (or the defaulted object) per valid object to `out`, and every
// problem as "FILE[:LINE]: Kind \"name\": field.path: message" to `err`.
// Returns 0 when every object is valid, 1 otherwise.
int run_validate(const validate_options& options, std::ostream& out, std::ostream& err);

}  // namespace capstan::ctl
