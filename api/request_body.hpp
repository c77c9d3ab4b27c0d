// Request bodies as JSON trees: JSON, or one YAML document (`application/yaml`), read within
// the limits every door keeps (nesting depth, YAML alias expansion, valid UTF-8) and refused
// with a 400 Status that says what was wrong and where.
#pragma once

#include <string>
#include <variant>

#include "api/http_message.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

// `what` names the body in messages ("the request body", "the patch", "DeleteOptions").
std::variant<messages::json, http_response> parse_body(const http_request& req,
                                                       const std::string& what);

// The same for a body already in hand (a DeleteOptions inside an Eviction, say), as JSON.
std::variant<messages::json, http_response> parse_json_text(const std::string& text,
                                                            const std::string& what);

}  // namespace capstan::api
