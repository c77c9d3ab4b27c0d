// Request bodies as objects: a create's or update's object decoded strictly (fieldValidation as
// kube-apiserver reads it), and DeleteOptions.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/commands.hpp"
#include "api/http_message.hpp"
#include "api/routes.hpp"

namespace capstan::api {

// Decodes a request body (JSON or YAML) into an object of the route's kind. Unknown fields
// follow the request's fieldValidation as in kube-apiserver: Strict (what kubectl sends)
// rejects them, Warn (the default) drops them with a warning, Ignore drops them silently.
// Malformed fields are always errors.
std::variant<messages::any_object, http_response> decode_object(const http_request& req,
                                                                const route& r,
                                                                std::vector<std::string>& warnings);

// Reads DeleteOptions (JSON): preconditions into `op`, dryRun into `dry_run`. Returns the 400
// to answer when they are malformed.
std::optional<http_response> read_delete_options(const std::string& body, actors::delete_op& op,
                                                 bool& dry_run);

}  // namespace capstan::api
