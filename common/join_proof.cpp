#include "common/join_proof.hpp"

#include <filesystem>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/detail/openssl.hpp"
#include "common/pki.hpp"

namespace capstan::common {

using detail::hex;

namespace {

constexpr std::size_t max_secret_length = 1024;
constexpr std::size_t max_token_file_bytes = 4096;

std::string random_hex(std::size_t bytes) {
  unsigned char buffer[64];
  if (bytes > sizeof buffer || RAND_bytes(buffer, static_cast<int>(bytes)) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  return hex(buffer, bytes);
}

std::string_view trimmed(std::string_view s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string first_line(const std::string& text) {
  return std::string(trimmed(std::string_view(text).substr(0, text.find('\n'))));
}

bool valid_secret(std::string_view secret) {
  if (secret.empty() || secret.size() > max_secret_length)
    return false;
  for (char c : secret)
    if (c <= 0x20 || c >= 0x7f)
      return false;
  return true;
}

std::string hmac_sha256(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
            &length))
    throw std::runtime_error("HMAC-SHA256 failed");
  return hex(digest, length);
}

// The token file's content, or nullopt when there is none.
std::optional<std::string> read_token_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::nullopt;
  return read_small_file(path, max_token_file_bytes);
}

}  // namespace

std::optional<join_token> parse_join_token(std::string_view text) {
  text = trimmed(text);
  const std::string_view prefix = "K10";
  if (text.substr(0, prefix.size()) != prefix)
    return valid_secret(text) ? std::optional<join_token>(join_token{"", std::string(text)})
                              : std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  auto separator = rest.find("::");
  if (separator != 64)
    return std::nullopt;
  join_token token;
  for (char c : rest.substr(0, 64)) {
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return std::nullopt;
    token.ca_hash.push_back(c);
  }
  std::string_view secret = rest.substr(64 + 2);
  if (!valid_secret(secret))
    return std::nullopt;
  token.secret = std::string(secret);
  return token;
}

std::string format_join_token(const join_token& token) {
  return token.ca_hash.empty() ? token.secret : "K10" + token.ca_hash + "::" + token.secret;
}

std::string random_nonce() {
  return random_hex(32);
}

std::string new_join_token() {
  return random_hex(32);
}

std::string join_proof(const std::string& token, const std::string& nonce,
                       const std::string& node_name) {
  auto parsed = parse_join_token(token);
  const std::string& key = parsed && !parsed->ca_hash.empty() ? parsed->secret : token;
  return hmac_sha256(key, nonce + "\n" + node_name);
}

std::string node_certificate_proof(const std::string& secret, const std::string& node_name,
                                   const std::string& public_key_sha256) {
  return hmac_sha256(secret, "capstan-node-certificate\n" + node_name + "\n" + public_key_sha256);
}

std::string master_join_proof(const std::string& secret, const std::string& peer_address,
                              uint64_t member_id) {
  return hmac_sha256(secret, "capstan-master-join\n" + peer_address + "\n" +
                                 std::to_string(member_id));
}

bool proofs_equal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

// The token in the master's file `path`, its whole content in `raw`; nothing when there is no
// file. Throws std::runtime_error when the file holds no token.
std::optional<join_token> stored_token(const std::string& path, std::string& raw) {
  auto existing = read_token_file(path);
  if (!existing)
    return std::nullopt;
  raw = *existing;
  auto parsed = parse_join_token(first_line(raw));
  if (!parsed)
    throw std::runtime_error(path +
                             " holds no join token (K10<sha256>::<secret>, or a bare "
                             "secret of printable characters): fix or remove it");
  return parsed;
}

}  // namespace

namespace {

join_token load_or_create_token_file(const std::string& path,
                                     const std::string& ca_certificate_pem) {
  join_token token{sha256_hex(ca_certificate_pem), ""};
  std::string existing;
  if (auto parsed = stored_token(path, existing)) {
    if (parsed->ca_hash == token.ca_hash && existing == format_join_token(*parsed) + "\n")
      return *parsed;
    token.secret = parsed->secret;  // an older form, or another CA: same secret, right hash
  } else {
    token.secret = new_join_token();
  }
  write_file_atomically(path, format_join_token(token) + "\n", 0600);
  return token;
}

}  // namespace

join_token load_or_create_join_token(const std::string& data_dir,
                                     const std::string& ca_certificate_pem) {
  return load_or_create_token_file(data_dir + "/node-token", ca_certificate_pem);
}

join_token load_or_create_master_token(const std::string& data_dir,
                                       const std::string& ca_certificate_pem) {
  return load_or_create_token_file(data_dir + "/master-token", ca_certificate_pem);
}

std::string load_or_create_join_token(const std::string& data_dir) {
  const std::string path = data_dir + "/node-token";
  std::string existing;
  if (auto parsed = stored_token(path, existing))
    return parsed->secret;
  std::string secret = new_join_token();
  write_file_atomically(path, secret + "\n", 0600);
  return secret;
}

std::string read_join_token(const std::string& path) {
  std::string content;
  try {
    content = read_small_file(path, max_token_file_bytes);
  } catch (const pki_error&) {
    throw std::runtime_error("cannot read the join token file " + path);
  }
  std::string line = first_line(content);
  if (line.empty())
    throw std::runtime_error("the join token file " + path + " is empty");
  return line;
}

}  // namespace capstan::common
