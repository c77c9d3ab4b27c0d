// The answer to a request RBAC refuses, as kube-apiserver writes it: a 403 Status whose message
// kubectl prints as `Error from server (Forbidden): pods is forbidden: User "bob" cannot list
// resource "pods" in API group "" in the namespace "team-a"`.
#pragma once

#include "api/http_message.hpp"
#include "auth/request_attributes.hpp"

namespace capstan::api {

http_response forbidden(const auth::request_attributes& request);

}  // namespace capstan::api
