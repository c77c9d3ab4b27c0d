#include "api/service_account_auth.hpp"

#include "auth/service_account_token.hpp"

namespace capstan::api {

std::optional<auth::user_identity> authenticate_service_account(const actors::read_model& model,
                                                                const std::string& signing_key,
                                                                const std::string& token) {
  auto key = auth::token_secret_of(token);
  if (!key)
    return std::nullopt;
  std::optional<auth::user_identity> who;
  model.read([&](const store::cluster_state& state) {
    const auto* secret = state.find<messages::secret>({key->namespace_, key->name});
    if (!secret)
      return;
    auto account = secret->metadata.annotations.find(auth::service_account_name_annotation);
    if (account == secret->metadata.annotations.end())
      return;
    who = auth::service_account_identity(
        token, *secret,
        state.find<messages::service_account>({key->namespace_, account->second}), signing_key);
  });
  return who;
}

}  // namespace capstan::api
