// Kubernetes v1 JSON for every object: encoding, and strict decoding that reports every
// malformed or unknown field with its path.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "messages/field_error.hpp"
#include "messages/objects.hpp"

namespace capstan::messages {

// Field order matters to people reading the output, so capstan uses the ordered variant.
using json = nlohmann::ordered_json;

// Encodes with "apiVersion" and "kind" first, then the fields in Kubernetes order; fields at
// their zero value are omitted as Go's `omitempty` does.
json to_json(const any_object& object);

// Encodes one part (a pod_spec, a pod_status, ...) without apiVersion/kind.
template <class T>
json to_json_part(const T& part);

// Decodes an object whose "kind" names a capstan kind and whose "apiVersion" is "v1".
// Appends every problem to `errors` (paths relative to the object) and returns nullopt if
// the kind cannot be determined; otherwise returns the object, possibly with errors.
std::optional<any_object> object_from_json(const json& document, field_errors& errors);

// Decodes one part. Problems are appended to `errors` with paths under `path`.
template <class T>
T part_from_json(const json& document, const std::string& path, field_errors& errors);

// JSON text of a tree, for output and request bodies. Never throws on a string that is not
// valid UTF-8 (one from a command-line argument, or stored before input was checked): its bad
// bytes are written as U+FFFD (nlohmann's error_handler_t::replace). Trees read through
// parse_json_input or parse_yaml_documents hold only valid UTF-8.
std::string json_text(const json& tree, int indent = -1);

// Canonical text for an object's or part's value, used to compare two values field by field.
template <class T>
std::string canonical_json(const T& value) {
  return json_text(to_json_part(value));
}

}  // namespace capstan::messages

#include "messages/detail/json_fields.hpp"

namespace capstan::messages {

template <class T>
json to_json_part(const T& part) {
  return detail::encode_json(part);
}

template <class T>
T part_from_json(const json& document, const std::string& path, field_errors& errors) {
  T result{};
  detail::decode_json(document, result, path, errors);
  return result;
}

}  // namespace capstan::messages
