// Reading untrusted JSON (request bodies, manifests, node reports): bounded in size and
// nesting, strict about encoding, and with errors that name the field they are in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "messages/json_codec.hpp"

namespace capstan::messages {

struct json_input_limits {
  // Larger documents are refused before any parsing. 3 MiB is kube-apiserver's request body
  // limit (and etcd's largest value is 1.5 MiB), so no valid object comes near it.
  std::size_t max_bytes = 3 * 1024 * 1024;
  // Deeper nesting of objects and arrays is refused: `[]` is depth 1. Kubernetes objects nest
  // about 10 deep; kube's JSON decoder stops at 10,000; 1,000 keeps every recursive walk over
  // the result (dump, decoding, destruction) far from the end of a thread's stack.
  std::size_t max_depth = 1000;
};

// Why a document was refused.
struct json_input_error {
  // The field the problem is in, as a path ("spec.containers[0].image"; names that are not
  // plain identifiers are bracketed: "metadata.labels[app.kubernetes.io/name]"); empty when it
  // concerns the document as a whole (too large, empty, a NUL after the end).
  std::string field;
  // One sentence for a user that names the field and, when the problem is a character of
  // the text, its line and column: "invalid UTF-8 in metadata.labels.app (line 1, column
  // 80)". Always valid UTF-8 without control characters; never quotes more than a few bytes
  // of the input.
  std::string message;
};

// Parses one JSON value (RFC 8259, the whole of `text`, no comments) into a tree.
//
// Refuses, with a json_input_error and without building anything further:
//   - more than limits.max_bytes bytes (checked first: a 100 MB body costs no parsing),
//   - nesting deeper than limits.max_depth,
//   - ill-formed UTF-8, in a value or a field name (the text is not repaired),
//   - NUL, raw or escaped as \u0000, anywhere (Cap'n Proto Text, capstan's storage, ends at
//     a NUL),
//   - a field name that appears twice in one object (JSON leaves the meaning open; Kubernetes'
//     strict decoding refuses it too),
//   - an integer outside the 64-bit range or a number that overflows a double,
//   - syntax errors: truncated text, text after the value, anything else RFC 8259 forbids.
//
// Work and memory are linear in the size of `text`, about 17 bytes of memory per byte of text
// at worst: the worst 3 MiB documents (`[[],[],...]`, an object of 280,000 short fields) peak
// near 50 MB and take a few tenths of a second. (nlohmann's own parser, into ordered_json,
// is quadratic in the fields of one object: the second of those takes minutes.)
// Thread-safe; it throws only std::bad_alloc.
//
// Use: auto parsed = parse_json_input(body);  // body.size() > max_bytes: answer 413 first
//      if (auto* e = std::get_if<json_input_error>(&parsed)) -> 400 with e->message
//      json& doc = std::get<json>(parsed);
std::variant<json, json_input_error> parse_json_input(std::string_view text,
                                                      const json_input_limits& limits = {});

}  // namespace capstan::messages
