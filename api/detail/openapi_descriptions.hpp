// The descriptions `kubectl explain` prints, keyed by definition and field. Detail of
// api/openapi.cpp.
#pragma once

#include <string_view>

namespace capstan::api::detail {

// The description of `field` in the definition whose name ends in `.type` ("Container",
// "ObjectMeta", "Scale"); field "" describes the definition itself. Fields every top-level kind
// has (apiVersion, kind, metadata) fall back to one shared text. nullptr when there is none.
const char* openapi_description(std::string_view type, std::string_view field);

}  // namespace capstan::api::detail
