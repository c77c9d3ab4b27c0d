// Which container of a pod a request names (logs, exec): its `container` parameter, or the only
// container; anything else is the client's mistake, answered as kube-apiserver does.
#pragma once

#include <string>
#include <variant>

#include "api/http_message.hpp"
#include "messages/objects.hpp"

namespace capstan::api {

// The container's name, or the 400 to answer (none named in a pod of several; no such one).
std::variant<std::string, http_response> requested_container(const http_request& req,
                                                             const messages::pod& pod);

}  // namespace capstan::api
