// YAML <-> JSON trees. Plain scalars resolve by the YAML 1.2 core schema: 80 is a number,
// true is a boolean, "80" and yes are strings. Reading is bounded: YAML text is untrusted input.
#pragma once

#include <cstddef>
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

struct yaml_input_limits {
  // Larger texts are refused before parsing: 3 MiB, kube-apiserver's request body limit. The
  // bound matters more for YAML than for JSON: yaml-cpp holds every token of a flow
  // collection that starts where a key could (`- [[],[],...]`) until it ends, about 120 bytes
  // per byte of text, so the worst 3 MiB text peaks near 400 MB; block-style text of that
  // size needs about 100 MB.
  std::size_t max_bytes = 3 * 1024 * 1024;
  // Deeper nesting of maps and sequences is refused, also when alias expansion builds it.
  // yaml-cpp's own recursion guard stops its parser near 500 levels; below that this limit
  // reports it clearly. Kubernetes objects nest about 10 deep.
  std::size_t max_depth = 400;
  // More documents in one stream are refused (empty ones are not counted).
  std::size_t max_documents = 10000;
};

// Parses every document of `text`; empty documents are dropped. Throws yaml_error with the
// line (and column when known) of the problem, and the field path when it is within one.
//
// A text that is one JSON object or array (JSON is YAML 1.2) is read by parse_json_input with
// the same limits: the same tree, without yaml-cpp's cost. Anything else, or JSON it refuses,
// is read as YAML.
//
// Refused, besides syntax errors: more than limits.max_bytes, nesting deeper than
// limits.max_depth, more than limits.max_documents, a NUL byte (a NUL in any string),
// ill-formed UTF-8 in a string or key, a key that repeats in one map (kubectl: "key already
// set in map"), an alias whose anchor contains it, and excessive aliasing. Aliases are
// expanded as Kubernetes' go-yaml (v2.2.4, the fix for CVE-2019-11253) does: over the whole
// stream, every node decoded counts, and every node decoded within an alias counts also as
// aliased; the text is refused with "document contains excessive aliasing" once more than
// 100 aliased and 1,000 decoded nodes have been counted and the aliased share exceeds 99 % up
// to 400,000 decoded nodes, falling linearly to 10 % at 4,000,000. A "billion laughs" text is
// refused after about 10,000 nodes, in milliseconds; documents without aliases are never
// refused by this rule.
//
// Work and memory are linear in the size of `text` (plus at most about 400,000 nodes added by
// aliases); see yaml_input_limits for the figures.
std::vector<yaml_document> parse_yaml_documents(const std::string& text,
                                                const yaml_input_limits& limits = {});

struct yaml_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes a JSON tree as block-style YAML; strings that would read back as another type
// ("80", "true", "null") are quoted.
std::string to_yaml(const json& tree);

}  // namespace capstan::messages
