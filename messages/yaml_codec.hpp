// YAML <-> JSON trees. Plain scalars resolve by the YAML 1.2 core schema: 80 is a number,
// true is a boolean, "80" and yes are strings.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "messages/json_codec.hpp"

namespace capstan::messages {

// One document of a (possibly multi-document) YAML stream.
struct yaml_document {
  json tree;
  int line = 1;  // 1-based line where the document starts, for error messages
};

// Parses every document of `text`; empty documents are dropped. Throws yaml_error with the
// line and column of a syntax error.
std::vector<yaml_document> parse_yaml_documents(const std::string& text);

struct yaml_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes a JSON tree as block-style YAML; strings that would read back as another type
// ("80", "true", "null") are quoted.
std::string to_yaml(const json& tree);

}  // namespace capstan::messages
