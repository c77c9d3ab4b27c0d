// API discovery as kubectl reads it: /version, health, /api, /apis (the policy group that
// carries evictions), /api/v1's resource list with short names, categories and subresources.
#pragma once

#include <optional>
#include <string>

#include "api/rest_handler.hpp"

namespace capstan::api {

// The answer when `req` asks for a discovery document, nullopt otherwise. `server_address` is
// what /api advertises (HOST:PORT).
std::optional<http_response> discovery(const http_request& req, const std::string& server_address);

}  // namespace capstan::api
