// The paths of an OpenAPI document: every core/v1 resource and subresource the REST handler
// serves, with its operations, parameters and the definitions they refer to. Detail of
// api/openapi.cpp.
#pragma once

#include "api/detail/openapi_definitions.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// The "paths" object of the core group's document in `set`'s dialect; the definitions its
// operations refer to are added to `set`.
messages::json core_paths(schema_set& set);

}  // namespace capstan::api::detail
