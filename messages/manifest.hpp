// Reading manifests from files and directories: YAML (multi-document) or JSON, `kind: List`
// included; each object decoded strictly, defaulted and validated. Files are untrusted input:
// every read is bounded (see manifest_limits).
#pragma once

#include <cstddef>
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

// Bounds on one input (a file, or standard input). A file over a limit is refused as a whole,
// with one problem that names the limit; nothing of it becomes an object.
struct manifest_limits {
  // Checked before reading (standard input and special files: by reading at most this many
  // bytes and one more). 3 MiB, kube-apiserver's request body limit, holds thousands of
  // objects; a larger set is split into files, which a directory reads one by one. The
  // parse of a hostile file stays under about 400 MB (see yaml_input_limits).
  std::size_t max_file_bytes = 3 * 1024 * 1024;
  // Objects in one input, `kind: List` items included. Each decoded object costs memory and,
  // for `capstanctl create`, one request: 10,000 is more than a whole cluster's manifests.
  std::size_t max_objects = 10000;
  // Problems reported for one input; the rest of the input is not checked (one "and more"
  // problem says so). Keeps a file of many thousand broken objects from flooding memory.
  std::size_t max_problems = 100;
};

// Reads `path`: a file (any name), or a directory whose *.yaml, *.yml and *.json files are read
// in name order (descending into subdirectories when `recursive`). "-" reads standard input.
// The limits apply to each file on its own.
manifest_set load_manifests(const std::string& path, bool recursive = false,
                            const manifest_limits& limits = {});

// Reads every path in order into one set (the -f flags of a command).
manifest_set load_manifests(const std::vector<std::string>& paths, bool recursive = false,
                            const manifest_limits& limits = {});

// Parses one text. `source` names it in messages; JSON is assumed when it ends in ".json".
// YAML is read by parse_yaml_documents, JSON by parse_json_input, both bounded by `limits`.
void parse_manifest(const std::string& text, const std::string& source, manifest_set& out,
                    const manifest_limits& limits = {});

}  // namespace capstan::messages
