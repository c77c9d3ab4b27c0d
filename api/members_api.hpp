// capstan's own members API (a non-resource URL: RBAC's nonResourceURLs rules decide who may):
//   GET    /capstan/v1/members     the masters of the cluster (their ids, member addresses,
//                                  voters) and which one leads, as the master asked sees them;
//   DELETE /capstan/v1/members/ID  removes master ID from the cluster (carried out by the
//                                  leader, forwarded there) -> a Status Success once committed;
//                                  404 no such member, 409 the last voter or another change
//                                  under way, 503 no leader now. The removed master stops
//                                  taking part; stop its process too.
#pragma once

#include "actors/master/master.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

// Answers the paths above (any other method: 405). A master alone lists itself, leading, and
// refuses removals (503).
http_response members_api(actors::master& master, const http_request& req);

// Whether `path` is one of members_api's.
bool is_members_path(std::string_view path);

}  // namespace capstan::api
