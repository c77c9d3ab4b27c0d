#include "auth/service_account_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace capstan::auth {

namespace {

constexpr std::string_view token_prefix = "cst1.";
constexpr std::size_t max_secret_key_hex = 2 * (63 + 1 + 253);

std::string to_hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2)
    return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int high = hex_value(hex[i]), low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0)
      return std::nullopt;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

}  // namespace

std::string make_service_account_token(const std::string& namespace_,
                                       const std::string& secret_name,
                                       const std::string& random_hex) {
  return std::string(token_prefix) + to_hex(namespace_ + "/" + secret_name) + "." + random_hex;
}

std::optional<token_secret_key> token_secret_of(std::string_view token) {
  if (token.substr(0, token_prefix.size()) != token_prefix)
    return std::nullopt;
  token.remove_prefix(token_prefix.size());
  auto dot = token.find('.');
  if (dot == std::string_view::npos || dot > max_secret_key_hex || dot + 1 == token.size())
    return std::nullopt;
  auto key = from_hex(token.substr(0, dot));
  if (!key)
    return std::nullopt;
  auto slash = key->find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == key->size())
    return std::nullopt;
  return token_secret_key{key->substr(0, slash), key->substr(slash + 1)};
}

std::string service_account_user_name(const std::string& namespace_, const std::string& name) {
  return "system:serviceaccount:" + namespace_ + ":" + name;
}

std::optional<user_identity> service_account_identity(std::string_view token,
                                                      const messages::secret& secret,
                                                      const messages::service_account* account) {
  if (secret.type != service_account_token_type || !account)
    return std::nullopt;
  auto stored = secret.data.find("token");
  if (stored == secret.data.end() || stored->second.size() != token.size() ||
      CRYPTO_memcmp(stored->second.data(), token.data(), token.size()) != 0)
    return std::nullopt;
  const auto& annotations = secret.metadata.annotations;
  auto name = annotations.find(service_account_name_annotation);
  if (name == annotations.end() || name->second != account->metadata.name ||
      secret.metadata.namespace_ != account->metadata.namespace_)
    return std::nullopt;
  // The uid the controller wrote: a Secret without it (not yet filled in) proves nothing.
  auto uid = annotations.find(service_account_uid_annotation);
  if (uid == annotations.end() || uid->second != account->metadata.uid)
    return std::nullopt;
  const auto& ns = account->metadata.namespace_;
  return user_identity{service_account_user_name(ns, account->metadata.name),
                       account->metadata.uid,
                       {"system:serviceaccounts", "system:serviceaccounts:" + ns,
                        "system:authenticated"}};
}

std::string token_secret_name(const std::string& namespace_, const std::string& account_name) {
  // Kubernetes' alphabet for generated suffixes (no vowels, no look-alikes).
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  const std::string key = namespace_ + "/" + account_name;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string suffix = "-token-";
  for (int i = 0; i < 5; ++i)
    suffix += alphabet[digest[i] % (sizeof(alphabet) - 1)];
  return account_name.substr(0, 253 - suffix.size()) + suffix;
}

}  // namespace capstan::auth
