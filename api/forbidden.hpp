// The answer to a request RBAC refuses, as kube-apiserver writes it: a 403 Status whose message
// kubectl prints as `Error from server (Forbidden): pods is forbidden: User "bob" cannot list
// resource "pods" in API group "" in the namespace "team-a"`.
#pragma once

#include "api/http_message.hpp"
#include "auth/request_attributes.hpp"

namespace capstan::api {

// `reason`, when not empty, follows Kubernetes' message after ": " (the Node authorizer's
// "no relationship found between node 'a' and this object").
http_response forbidden(const auth::request_attributes& request, const std::string& reason = "");

}  // namespace capstan::api
