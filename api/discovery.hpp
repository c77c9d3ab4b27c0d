// API discovery as kubectl reads it: /version, health, /api, /apis (the access-review groups;
// the policy group that carries evictions, unlisted), /api/v1's resource list with short names,
// categories and subresources.
#pragma once

#include <optional>
#include <string>

#include "api/rest_handler.hpp"

namespace capstan::api {

// The answer when `req` asks for a discovery document, nullopt otherwise. `server_address` is
// what /api advertises (HOST:PORT).
std::optional<http_response> discovery(const http_request& req, const std::string& server_address);

// /healthz, /livez and /readyz as Kubernetes answers them ("ok", or with ?verbose one line per
// check: [+]ping ok, [-]journal failed: REASON), nullopt for other paths. `journal_failure` is
// why the journal refuses writes, empty while it takes them: healthz and readyz then answer
// 500; livez does not include the journal.
std::optional<http_response> health(const http_request& req, const std::string& journal_failure);

}  // namespace capstan::api
