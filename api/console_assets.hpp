// The web console's door: GET /console/... answers with the embedded files (api/console_bundle.hpp).
// Served without authentication, as any login page is: the files hold no cluster data; every
// request the console then makes carries the user's bearer token and is authorized as any other.
#pragma once

#include <string_view>

#include "api/http_message.hpp"

namespace capstan::api {

// "/console" or any path under "/console/".
bool is_console_path(std::string_view path);

// The answer to a console path: /console/assets/NAME -> that file
// (cached for a year: Vite's names change with their content), 404 when there is none; any
// other path -> the page (index.html, never cached), whose script shows the view that path names
// (the server reads /console/ as /console: both are the page).
// Only GET and HEAD (405 otherwise). Every answer forbids framing and sniffing and allows
// scripts, styles and requests to this origin only.
http_response console_asset(const http_request& req);

}  // namespace capstan::api
