// capstan's own members API: GET /capstan/v1/members, the masters of the cluster (their ids,
// member addresses, voters) and which one leads, as the master asked sees them.
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

// Answers GET /capstan/v1/members (any other method: 405). A master alone lists itself, leading.
http_response members_api(const actors::master& master, const http_request& req);

}  // namespace capstan::api
