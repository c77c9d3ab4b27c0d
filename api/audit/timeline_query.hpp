// GET /capstan/v1/timeline?buckets=N&from=&to=: the journal's records per interval of time
// (N equal intervals, 120 by default, at most 1000, between the records `from` and `to`), each
// counted by who made them: users, controllers, nodes. From the history index: 503 while it
// is being built.
#pragma once

#include "actors/master/master.hpp"
#include "api/http_message.hpp"

namespace capstan::api::audit {

http_response timeline_query(const actors::master& master, const http_request& req);

}  // namespace capstan::api::audit
