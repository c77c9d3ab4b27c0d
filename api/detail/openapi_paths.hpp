// The paths of an OpenAPI document: every resource of a group and subresource the REST handler
// serves, with its operations, parameters and the definitions they refer to. Detail of
// api/openapi.cpp.
#pragma once

#include "api/detail/openapi_definitions.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// The "paths" object of a group's document ("" : core/v1) in `set`'s dialect; the definitions
// its operations refer to are added to `set`.
messages::json group_paths(schema_set& set, const std::string& group);

}  // namespace capstan::api::detail
