// The API's service-account token authenticator: a bearer token of a service account's token
// Secret (auth/service_account_token.hpp) proves that account, read from the read model — in
// force as soon as the Secret's write is acknowledged, void as soon as the Secret or the
// account is deleted.
#pragma once

#include <optional>
#include <string>

#include "actors/read_model/read_model.hpp"
#include "auth/request_attributes.hpp"

namespace capstan::api {

// The identity `token` proves, or nullopt (not a service-account token, not signed with
// `signing_key`, or no longer valid). Two lookups under the read model's shared lock; never
// throws.
std::optional<auth::user_identity> authenticate_service_account(const actors::read_model& model,
                                                                const std::string& signing_key,
                                                                const std::string& token);

}  // namespace capstan::api
