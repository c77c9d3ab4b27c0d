#include "common/join_proof.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace capstan::common {

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  unsigned char buffer[64];
  if (bytes > sizeof buffer || RAND_bytes(buffer, static_cast<int>(bytes)) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  return hex(buffer, bytes);
}

std::string trimmed(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos)
    return "";
  auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

std::string random_nonce() {
  return random_hex(32);
}

std::string new_join_token() {
  return random_hex(32);
}

std::string join_proof(const std::string& token, const std::string& nonce,
                       const std::string& node_name) {
  std::string message = nonce + "\n" + node_name;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), token.data(), static_cast<int>(token.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return hex(digest, length);
}

bool proofs_equal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string load_or_create_join_token(const std::string& data_dir) {
  std::string path = data_dir + "/node-token";
  {
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line) && !trimmed(line).empty())
      return trimmed(line);
  }
  std::string token = new_join_token();
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out)
      throw std::runtime_error("cannot write " + path);
    out << token << "\n";
  }
  ::chmod(path.c_str(), 0600);
  return token;
}

std::string read_join_token(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read the join token file " + path);
  std::string line;
  std::getline(in, line);
  if (trimmed(line).empty())
    throw std::runtime_error("the join token file " + path + " is empty");
  return trimmed(line);
}

}  // namespace capstan::common
