// The three PATCH flavours kubectl sends: JSON merge patch (RFC 7386), strategic merge patch
// (lists merged by their Kubernetes keys), and JSON patch (RFC 6902).
#pragma once

#include <optional>
#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api {

messages::json merge_patch(messages::json target, const messages::json& patch);
messages::json strategic_merge_patch(messages::json target, const messages::json& patch);
// Returns the patched document, or sets *error and returns nullopt.
std::optional<messages::json> json_patch(messages::json target, const messages::json& operations,
                                         std::string* error);

}  // namespace capstan::api
