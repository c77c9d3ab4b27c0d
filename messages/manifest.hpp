// Reading manifests from files and directories: YAML (multi-document) or JSON, `kind: List`
// included; each object decoded strictly, defaulted and validated.
#pragma once

#include <string>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::messages {

struct manifest_object {
  std::string source;  // the file it came from
  int line = 1;        // where its document starts
  any_object object;   // defaulted and valid
};

// One problem with one input: the file, the line of its document, the object when known
// ("Service \"frontend\""), and the field-level message.
struct manifest_problem {
  std::string source;
  int line = 0;  // 0 when the whole file is concerned
  std::string object;
  std::string message;

  // "frontend-service.yaml: Service \"frontend\": spec.ports[0].nodePort: Invalid value: ..."
  std::string to_string() const;
};

struct manifest_set {
  std::vector<manifest_object> objects;
  std::vector<manifest_problem> problems;
  bool ok() const { return problems.empty(); }
};

// Reads `path`: a file (any name), or a directory whose *.yaml, *.yml and *.json files are read
// in name order (descending into subdirectories when `recursive`). "-" reads standard input.
manifest_set load_manifests(const std::string& path, bool recursive = false);

// Reads every path in order into one set (the -f flags of a command).
manifest_set load_manifests(const std::vector<std::string>& paths, bool recursive = false);

// Parses one text. `source` names it in messages; JSON is assumed when it ends in ".json".
void parse_manifest(const std::string& text, const std::string& source, manifest_set& out);

}  // namespace capstan::messages
