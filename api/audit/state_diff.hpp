// GET /capstan/v1/diff?fromSeq=|fromTime=&toSeq=|toTime=&limit=: what changed in the cluster
// between two moments of the journal: the objects added, removed and changed (each with its
// state before and after), at most `limit` of each (500 by default, at most 5000; "truncated"
// says when more were); the moments at most 200,000 records apart (400 beyond). The earlier
// state is rebuilt by apply; the later one by applying the records between to it.
#pragma once

#include "actors/master/master.hpp"
#include "api/http_message.hpp"

namespace capstan::api::audit {

http_response state_diff(const actors::master& master, const http_request& req);

}  // namespace capstan::api::audit
