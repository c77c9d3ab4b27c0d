#include "api/client_certificate_auth.hpp"

#include "actors/nodes/join_checks.hpp"
#include "auth/node_authorizer.hpp"

namespace capstan::api {

std::optional<auth::user_identity> authenticate_client_certificate(
    const actors::read_model& model, const common::client_certificate_verifier& verifier,
    const std::string& certificate_pem) {
  try {
    std::string why;
    auto certified = verifier.verify(certificate_pem, why);
    if (!certified || certified->common_name.empty())
      return std::nullopt;
    auth::user_identity user;
    user.name = certified->common_name;
    if (!certified->organization.empty())
      user.groups.push_back(certified->organization);
    user.groups.push_back("system:authenticated");
    if (auto node = auth::node_name_of(user)) {
      bool revoked = false;
      model.read([&](const store::cluster_state& state) {
        auto* registered = state.find<messages::node>({"", *node});
        if (!registered)
          return;
        auto key = registered->metadata.annotations.find(actors::node_key_annotation);
        revoked = key != registered->metadata.annotations.end() &&
                  key->second != certified->public_key_sha256;
      });
      if (revoked)
        return std::nullopt;
    }
    return user;
  } catch (const std::exception&) {  // allocation failure: not authenticated
    return std::nullopt;
  }
}

}  // namespace capstan::api
