// Service-account tokens: the bearer tokens a service account's token Secret holds (type
// kubernetes.io/service-account-token, written by the service-account controller), and the
// identity they prove: system:serviceaccount:NS:NAME, in groups system:serviceaccounts,
// system:serviceaccounts:NS and system:authenticated — Kubernetes' legacy token authenticator.
//
// Format: `cst1.<hex of "NS/SECRET">.<64 hex digits of randomness>`. The middle part names the
// Secret holding the token, so authentication is one lookup; the token is valid only while that
// Secret holds exactly it and the service account it names exists with the uid it names (a
// deleted and re-created account does not inherit its predecessor's tokens). Pure: the caller
// looks the objects up.
//
// Known limit: the token is not signed. Whoever may write Secrets of a namespace may write a
// token Secret for an account of that namespace with a token of their choosing, and so act as
// that account — as Kubernetes' `edit` role may already (it runs pods as any account of its
// namespace), but also with a narrower grant on Secrets alone.
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

// A token for the Secret NS/SECRET; `random_hex` is the secret part (64 hex digits).
std::string make_service_account_token(const std::string& namespace_,
                                       const std::string& secret_name,
                                       const std::string& random_hex);
// The Secret a token names; nullopt when the text is not a service-account token.
std::optional<token_secret_key> token_secret_of(std::string_view token);

// "system:serviceaccount:NS:NAME".
std::string service_account_user_name(const std::string& namespace_, const std::string& name);

// The identity `token` proves, given the Secret it names and the service account that Secret's
// annotation names (null when there is none). Comparison of the token is constant-time.
std::optional<user_identity> service_account_identity(std::string_view token,
                                                      const messages::secret& secret,
                                                      const messages::service_account* account);

// The name of the token Secret the controller keeps for account NS/NAME, the one pods mount:
// NAME (cut to fit) + "-token-" + five characters derived from NS/NAME, so that admission knows
// it before the controller has written it.
std::string token_secret_name(const std::string& namespace_, const std::string& account_name);

}  // namespace capstan::auth
