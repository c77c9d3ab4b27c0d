#include "common/pki.hpp"

#include "common/detail/openssl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace capstan::common {

namespace fs = std::filesystem;

using namespace detail;

// ---- client_certificate_verifier --------------------------------------------------------------

struct client_certificate_verifier::verified {
  certified_identity identity;
  pkey_ptr key;
  time_t not_before = 0;
  time_t not_after = 0;
};

struct client_certificate_verifier::store {
  store_ptr trusted;
  std::shared_mutex mutex;
  // Certificates that verified, by the SHA-256 of their PEM text; guarded by `mutex`.
  std::unordered_map<std::string, std::shared_ptr<const verified>> remembered;
};

namespace {

constexpr std::size_t max_remembered_certificates = 65536;

bool verify_with_key(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(key), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace

client_certificate_verifier::client_certificate_verifier(const std::string& ca_certificate_pem)
    : store_(std::make_unique<store>()) {
  error_queue_guard guard;
  auto ca = parse_certificate(ca_certificate_pem);
  if (!ca)
    fail("the CA for client certificates is not a PEM certificate");
  store_->trusted.reset(X509_STORE_new());
  if (!store_->trusted || X509_STORE_add_cert(store_->trusted.get(), ca.get()) != 1)
    fail("cannot build a certificate store");
}

client_certificate_verifier::~client_certificate_verifier() = default;

std::shared_ptr<const client_certificate_verifier::verified> client_certificate_verifier::check(
    const std::string& cert_pem, std::string& why) const {
  error_queue_guard guard;
  why.clear();
  if (cert_pem.size() > max_pem_bytes) {
    why = "the certificate is larger than " + std::to_string(max_pem_bytes) + " bytes";
    return nullptr;
  }
  std::string digest = sha256_hex(cert_pem);
  std::shared_ptr<const verified> known;
  {
    std::shared_lock<std::shared_mutex> lock(store_->mutex);
    auto it = store_->remembered.find(digest);
    if (it != store_->remembered.end())
      known = it->second;
  }
  if (known) {
    time_t now = std::time(nullptr);
    if (now < known->not_before) {
      why = "certificate is not yet valid";
      return nullptr;
    }
    if (now > known->not_after) {
      why = "certificate has expired";
      return nullptr;
    }
    return known;
  }
  auto cert = parse_certificate(cert_pem);
  if (!cert) {
    why = "not a PEM certificate";
    return nullptr;
  }
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_->trusted.get(), cert.get(), nullptr) != 1) {
    why = "cannot set up a verification";
    return nullptr;
  }
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1) {
    why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    return nullptr;
  }
  if (X509_check_ca(cert.get()) != 0) {
    why = "a CA certificate is not a client certificate";
    return nullptr;
  }
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  auto common_names = name_entries(subject, NID_commonName);
  if (common_names.size() != 1) {
    why = "the certificate's subject must have exactly one CN";
    return nullptr;
  }
  auto organizations = name_entries(subject, NID_organizationName);
  auto entry = std::make_shared<verified>();
  EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!key || EVP_PKEY_up_ref(key) != 1) {
    why = "the certificate has no usable public key";
    return nullptr;
  }
  entry->key.reset(key);  // holds the reference taken above
  if (!to_time(X509_get0_notBefore(cert.get()), entry->not_before) ||
      !to_time(X509_get0_notAfter(cert.get()), entry->not_after)) {
    why = "the certificate's validity period does not parse";
    return nullptr;
  }
  try {
    entry->identity = {common_names[0], organizations.empty() ? "" : organizations[0],
                       spki_sha256(key)};
  } catch (const pki_error& e) {
    why = e.what();
    return nullptr;
  }
  std::unique_lock<std::shared_mutex> lock(store_->mutex);
  if (store_->remembered.size() >= max_remembered_certificates)
    store_->remembered.clear();
  store_->remembered.emplace(std::move(digest), entry);
  return entry;
}

std::optional<certified_identity> client_certificate_verifier::verify(const std::string& cert_pem,
                                                                      std::string& why) const {
  auto entry = check(cert_pem, why);
  if (!entry)
    return std::nullopt;
  return entry->identity;
}

std::optional<certified_identity> client_certificate_verifier::verify_signed(
    const std::string& cert_pem, std::string_view data, std::string_view signature,
    std::string& why) const {
  auto entry = check(cert_pem, why);
  if (!entry)
    return std::nullopt;
  error_queue_guard guard;
  if (!verify_with_key(entry->key.get(), data, signature)) {
    why = "the signature does not match the certificate's key";
    return std::nullopt;
  }
  return entry->identity;
}

// ---- signatures ---------------------------------------------------------------------------------

std::string sign(const std::string& key_pem, std::string_view data) {
  error_queue_guard guard;
  auto key = parse_private_key(key_pem);
  if (!key)
    fail("the signing key is not an unencrypted PEM private key");
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  auto bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, digest_for(key.get()), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1)
    fail("cannot sign");
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes,
                     data.size()) != 1)
    fail("cannot sign");
  signature.resize(length);
  return signature;
}

bool verify_signature(const std::string& cert_pem, std::string_view data,
                      std::string_view signature) {
  error_queue_guard guard;
  auto cert = parse_certificate(cert_pem);
  EVP_PKEY* key = cert ? X509_get0_pubkey(cert.get()) : nullptr;
  return key && verify_with_key(key, data, signature);
}

bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem) {
  error_queue_guard guard;
  auto key = parse_private_key(key_pem);
  auto cert = parse_certificate(cert_pem);
  EVP_PKEY* public_key = cert ? X509_get0_pubkey(cert.get()) : nullptr;
  return key && public_key && EVP_PKEY_eq(public_key, key.get()) == 1;
}

}  // namespace capstan::common
