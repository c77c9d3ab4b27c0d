#include "auth/service_account_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

namespace {

// HMAC-SHA256(key, "NS/SECRET\nUID\nRANDOM"), hex.
std::string signature(const std::string& secret_key, const std::string& account_uid,
                      std::string_view random_hex, const std::string& key) {
  const std::string text = secret_key + "\n" + account_uid + "\n" + std::string(random_hex);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac), length));
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct token_parts {
  std::string_view secret_hex, random_hex, signature;
};

// cst1.SECRET_HEX.RANDOM.SIGNATURE, each part non-empty.
std::optional<token_parts> split_token(std::string_view token) {
  if (token.substr(0, token_prefix.size()) != token_prefix)
    return std::nullopt;
  token.remove_prefix(token_prefix.size());
  auto first = token.find('.');
  if (first == std::string_view::npos || first == 0 || first > max_secret_key_hex)
    return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || second == first + 1 || second + 1 >= token.size() ||
      token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  return token_parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                     token.substr(second + 1)};
}

}  // namespace

std::string make_service_account_token(const std::string& namespace_,
                                       const std::string& secret_name,
                                       const std::string& account_uid,
                                       const std::string& random_hex, const std::string& key) {
  const std::string secret_key = namespace_ + "/" + secret_name;
  return std::string(token_prefix) + to_hex(secret_key) + "." + random_hex + "." +
         signature(secret_key, account_uid, random_hex, key);
}

bool token_signed_for(std::string_view token, const std::string& namespace_,
                      const std::string& secret_name, const std::string& account_uid,
                      const std::string& key) {
  auto parts = split_token(token);
  if (!parts)
    return false;
  const std::string secret_key = namespace_ + "/" + secret_name;
  return parts->secret_hex == to_hex(secret_key) &&
         equal_in_constant_time(parts->signature,
                                signature(secret_key, account_uid, parts->random_hex, key));
}

std::optional<token_secret_key> token_secret_of(std::string_view token) {
  auto parts = split_token(token);
  if (!parts)
    return std::nullopt;
  auto key = from_hex(parts->secret_hex);
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
                                                      const messages::service_account* account,
                                                      const std::string& key) {
  if (secret.type != service_account_token_type || !account || key.empty())
    return std::nullopt;
  auto stored = secret.data.find("token");
  if (stored == secret.data.end() || !equal_in_constant_time(stored->second, token))
    return std::nullopt;
  const auto& annotations = secret.metadata.annotations;
  auto name = annotations.find(service_account_name_annotation);
  if (name == annotations.end() || name->second != account->metadata.name ||
      secret.metadata.namespace_ != account->metadata.namespace_)
    return std::nullopt;
  // The uid the controller wrote: a Secret without it (not yet filled in) proves nothing.
  auto uid = annotations.find(service_account_uid_annotation);
  if (uid == annotations.end() || uid->second != account->metadata.uid ||
      !token_signed_for(token, secret.metadata.namespace_, secret.metadata.name,
                        account->metadata.uid, key))
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
