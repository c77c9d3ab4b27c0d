// FieldsV1, the JSON form of a field set in metadata.managedFields
// ({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":
// {".":{},"f:image":{}}}}}), both ways. Detail of api/managed_fields.cpp. Pure functions.
#pragma once

#include <string>

#include "api/detail/field_set.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// The set as FieldsV1. `with_dot`: the set's owner is itself a member, written first as ".".
// Linear in the set's size.
messages::json to_fields_v1(const field_set& s, bool with_dot = false);

// A stored FieldsV1 text as a JSON tree (bounded and linear: parse_json_input); a damaged one
// reads as empty.
messages::json parsed_fields_v1(const std::string& text);

// Reads a FieldsV1 object; keys that are no path element are skipped (validation refuses them
// on input; this only guards against damaged records).
field_set from_fields_v1(const messages::json& j);

}  // namespace capstan::api::detail
