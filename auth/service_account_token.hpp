// Service-account tokens: the bearer tokens a service account's token Secret holds (type
// kubernetes.io/service-account-token, written by the service-account controller), and the
// identity they prove: system:serviceaccount:NS:NAME, in groups system:serviceaccounts,
// system:serviceaccounts:NS and system:authenticated — Kubernetes' legacy token authenticator.
//
// Format: `cst1.<hex of "NS/SECRET">.<64 hex digits of randomness>.<signature>`, the signature
// HMAC-SHA256 under the master's key (DATA/service-account.key) of the Secret's name, the
// account's uid and the randomness. The middle part names the Secret holding the token, so
// authentication is one lookup; the token is valid only while that Secret holds exactly it, the
// service account it names exists with the uid it names, and the signature is the master's for
// that uid: whoever may write Secrets cannot choose a token that works, and a deleted and
// re-created account does not inherit its predecessor's tokens. Pure: the caller looks the
// objects up and holds the key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/request_attributes.hpp"
#include "messages/config.hpp"

namespace capstan::auth {

inline constexpr const char* service_account_token_type = "kubernetes.io/service-account-token";
inline constexpr const char* service_account_name_annotation = "kubernetes.io/service-account.name";
inline constexpr const char* service_account_uid_annotation = "kubernetes.io/service-account.uid";
// Where a pod's token Secret is mounted in every container (unless it opts out).
inline constexpr const char* service_account_mount_path =
    "/var/run/secrets/kubernetes.io/serviceaccount";

struct token_secret_key {
  std::string namespace_;
  std::string name;
};

// A token for the Secret NS/SECRET of the account with `account_uid`, signed with `key`;
// `random_hex` is the secret part (64 hex digits).
std::string make_service_account_token(const std::string& namespace_,
                                       const std::string& secret_name,
                                       const std::string& account_uid,
                                       const std::string& random_hex, const std::string& key);
// Whether `token` names NS/SECRET and carries `key`'s signature for `account_uid`
// (constant-time).
bool token_signed_for(std::string_view token, const std::string& namespace_,
                      const std::string& secret_name, const std::string& account_uid,
                      const std::string& key);
// The Secret a token names; nullopt when the text is not a service-account token.
std::optional<token_secret_key> token_secret_of(std::string_view token);

// "system:serviceaccount:NS:NAME".
std::string service_account_user_name(const std::string& namespace_, const std::string& name);

// The identity `token` proves, given the Secret it names, the service account that Secret's
// annotation names (null when there is none) and the master's key. Comparisons are
// constant-time.
std::optional<user_identity> service_account_identity(std::string_view token,
                                                      const messages::secret& secret,
                                                      const messages::service_account* account,
                                                      const std::string& key);

// The name of the token Secret the controller keeps for account NS/NAME, the one pods mount:
// NAME (cut to fit) + "-token-" + five characters derived from NS/NAME, so that admission knows
// it before the controller has written it.
std::string token_secret_name(const std::string& namespace_, const std::string& account_name);

}  // namespace capstan::auth
