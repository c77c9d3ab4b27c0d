// capstan's own audit API: /capstan/v1/history (the records about an object or a kind, newest
// last) and /capstan/v1/state (every object as it was right after a sequence number or a time).
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

// Answers GET /capstan/v1/history?kind=&namespace=&name=&from=&to=&limit= and
// GET /capstan/v1/state?at=SEQ|time=RFC3339. Reads the journal.
http_response audit_api(const actors::master& master, const http_request& req);

}  // namespace capstan::api
