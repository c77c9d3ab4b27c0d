// Asking the API what you may do and who you are, as kubectl's `auth can-i` and `auth whoami`
// do: SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1), and
// SelfSubjectReview (authentication.k8s.io/v1). Each is a POST that creates nothing: the
// answer is the review with its status filled in (RBAC's verdict and reason; the rules the user
// holds in a namespace; the user's name, uid and groups), for the request's own user only.
#pragma once

#include <optional>

#include "api/http_message.hpp"
#include "auth/request_authorizer.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

// The answer when `req` (authenticated, its user in req.user) posts one of the reviews,
// nullopt for any other request. A body that is not such a review is a 400.
std::optional<http_response> answer_access_review(const http_request& req,
                                                  const auth::request_authorizer& authorizer);

// The discovery documents of the two groups: /apis/authorization.k8s.io[/v1] and
// /apis/authentication.k8s.io[/v1] (nullopt for other paths), and their entries in /apis.
std::optional<http_response> access_review_discovery(const std::string& path);
messages::json access_review_groups();

}  // namespace capstan::api
