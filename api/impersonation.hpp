// Kubernetes' user impersonation (`kubectl --as USER --as-group G --as-uid U`): the headers
// Impersonate-User, Impersonate-Group (repeated) and Impersonate-Uid make a request act as
// another identity, when the requester may `impersonate` each part: users (or, for
// system:serviceaccount:NS:NAME, serviceaccounts in NS), groups, and uids in group
// authentication.k8s.io. Impersonate-Extra-* is refused (capstan keeps no user extras).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "api/http_message.hpp"
#include "auth/request_authorizer.hpp"

namespace capstan::api {

// The identity `requester` acts as, or the refusal: 403 in Kubernetes' words (`users "bob" is
// forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster
// scope`), 400 for groups or a uid without a user. The identity has the asked groups plus
// system:authenticated, and for a service account asked without groups system:serviceaccounts
// and system:serviceaccounts:NS, as Kubernetes adds them.
std::variant<auth::user_identity, http_response> impersonate(const auth::user_identity& requester,
                                                             const impersonation_request& asked,
                                                             const auth::request_authorizer& authorizer);

}  // namespace capstan::api
