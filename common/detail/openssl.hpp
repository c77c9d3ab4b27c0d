// OpenSSL plumbing shared by common/pki.cpp, common/certificate_verifier.cpp and
// common/join_proof.cpp: owning pointers, error handling, PEM parsing and writing, names,
// validity. Internal to common/ (not part of pki.hpp's contract).
#pragma once

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/pki.hpp"

namespace capstan::common::detail {

template <class T, void (*Free)(T*)>
struct openssl_free {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_free<X509, X509_free>>;
using req_ptr = std::unique_ptr<X509_REQ, openssl_free<X509_REQ, X509_REQ_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO, BIO_free_all>>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_free<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr =
    std::unique_ptr<X509_STORE_CTX, openssl_free<X509_STORE_CTX, X509_STORE_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_free<EVP_MD_CTX, EVP_MD_CTX_free>>;

// Empties this thread's OpenSSL error queue when a public function returns or throws.
struct error_queue_guard {
  ~error_queue_guard() { ERR_clear_error(); }
};

[[noreturn]] inline void fail(const std::string& what) {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  throw pki_error(reason ? what + " (" + reason + ")" : what);
}

// Passphrase callback that refuses: an encrypted key must never make OpenSSL prompt a terminal.
inline int no_passphrase(char*, int, int, void*) {
  return -1;
}

inline std::string hex(const unsigned char* bytes, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

// `text` for an error message: printable ASCII, at most 100 characters.
inline std::string printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 100))
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return text.size() > 100 ? out + "..." : out;
}

// A read-only memory BIO over `pem`, or nullptr when it is larger than max_pem_bytes.
inline bio_ptr pem_bio(const std::string& pem) {
  if (pem.size() > max_pem_bytes)
    return nullptr;
  return bio_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

inline x509_ptr parse_certificate(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

inline req_ptr parse_request(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? req_ptr(PEM_read_bio_X509_REQ(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

inline pkey_ptr parse_private_key(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr))
             : nullptr;
}

inline pkey_ptr parse_public_key(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? pkey_ptr(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

inline std::string pem_of(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    fail("cannot write a certificate as PEM");
  return bio_text(bio.get());
}

inline std::string pem_of(X509_REQ* req) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req) != 1)
    fail("cannot write a certificate request as PEM");
  return bio_text(bio.get());
}

inline std::string pem_of(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write a private key as PEM");
  return bio_text(bio.get());
}

inline pkey_ptr new_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key)
    fail("cannot generate an EC P-256 key");
  return key;
}

// The digest to sign with `key`: none for Ed25519 (it hashes itself), SHA-256 otherwise.
inline const EVP_MD* digest_for(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

inline std::string spki_sha256(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0)
    fail("cannot encode a public key");
  std::string digest = sha256_hex(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return digest;
}

// What is wrong with a client's key, or empty when it is strong enough.
inline std::string key_problem(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC:
      return bits >= 256 ? "" : "an EC key of " + std::to_string(bits) + " bits is too weak";
    case EVP_PKEY_RSA:
      return bits >= 2048 && bits <= 8192
                 ? ""
                 : "an RSA key of " + std::to_string(bits) + " bits is not 2048 to 8192 bits";
    case EVP_PKEY_ED25519:
      return "";
    default:
      return "the key must be EC (P-256 or larger), RSA (2048+ bits) or Ed25519";
  }
}

// Adds an entry to a name as a UTF8String: unlike the MBSTRING path, no 64-character bound
// (a Kubernetes node name may have 253, and "system:node:" comes before it).
inline void add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1)
    fail("cannot put \"" + printable(value) + "\" in a certificate subject");
}

// The text of the entries `nid` of `name`.
inline std::vector<std::string> name_entries(const X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
  }
  return out;
}

inline bool to_time(const ASN1_TIME* t, time_t& out) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
    return false;
  out = timegm(&tm);
  return true;
}

inline void set_random_serial(X509* cert) {
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1)
    fail("no random bytes for a serial number");
  serial[0] = (serial[0] & 0x7f) | 0x40;  // positive, and always 16 bytes long
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  if (!ok)
    fail("cannot set a serial number");
}

// Valid from an hour ago (clocks differ) for `days` days; a negative `days` ends in the past.
inline void set_validity(X509* cert, int days) {
  long after = static_cast<long>(days) * 24 * 3600;
  long before = std::min(-3600L, after - 3600);
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), before) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert), after))
    fail("cannot set a validity period");
}

// A v3 certificate skeleton: serial, validity, subject, issuer (`issuer`, or itself), key.
inline x509_ptr new_certificate(EVP_PKEY* key, const std::string& common_name,
                         const std::string& organization, X509* issuer, int days) {
  x509_ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    fail("cannot create a certificate");
  set_random_serial(cert.get());
  set_validity(cert.get(), days);
  if (X509_set_pubkey(cert.get(), key) != 1)
    fail("cannot set a certificate's key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (!organization.empty())
    add_name_entry(name, NID_organizationName, organization);
  add_name_entry(name, NID_commonName, common_name);
  if (X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1)
    fail("cannot set a certificate's issuer");
  return cert;
}

// Adds a fixed, well-formed extension (never built from input text).
inline void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext)
    fail(std::string("cannot build the extension ") + value);
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1)
    fail(std::string("cannot add the extension ") + value);
}

inline void sign_certificate(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, digest_for(key)) <= 0)
    fail("cannot sign a certificate");
}

}  // namespace capstan::common::detail
