// Answers in Kubernetes' shapes: JSON bodies, and Status errors as kubectl prints them
// (`Error from server (NotFound): pods "x" not found`).
#pragma once

#include <string>

#include "api/http_message.hpp"
#include "messages/field_error.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

// JSON text of `body`; invalid UTF-8 in strings (echoed user input) becomes U+FFFD instead of
// throwing.
std::string dump_json(const messages::json& body);

http_response json_response(int status, const messages::json& body);

// A Kubernetes Status error. `kind` and `name` fill `details`; `causes` list field errors.
http_response status_error(int code, const std::string& reason, const std::string& message,
                           const std::string& kind = "", const std::string& name = "",
                           const messages::field_errors& causes = {});

}  // namespace capstan::api
