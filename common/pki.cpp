#include "common/pki.hpp"

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

namespace {

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

[[noreturn]] void fail(const std::string& what) {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  ERR_clear_error();
  throw pki_error(reason ? what + " (" + reason + ")" : what);
}

// Passphrase callback that refuses: an encrypted key must never make OpenSSL prompt a terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

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

// `text` for an error message: printable ASCII, at most 100 characters.
std::string printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 100))
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return text.size() > 100 ? out + "..." : out;
}

// A read-only memory BIO over `pem`, or nullptr when it is larger than max_pem_bytes.
bio_ptr pem_bio(const std::string& pem) {
  if (pem.size() > max_pem_bytes)
    return nullptr;
  return bio_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

x509_ptr parse_certificate(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

req_ptr parse_request(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? req_ptr(PEM_read_bio_X509_REQ(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

pkey_ptr parse_private_key(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr))
             : nullptr;
}

pkey_ptr parse_public_key(const std::string& pem) {
  auto bio = pem_bio(pem);
  return bio ? pkey_ptr(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr)) : nullptr;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string pem_of(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    fail("cannot write a certificate as PEM");
  return bio_text(bio.get());
}

std::string pem_of(X509_REQ* req) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req) != 1)
    fail("cannot write a certificate request as PEM");
  return bio_text(bio.get());
}

std::string pem_of(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write a private key as PEM");
  return bio_text(bio.get());
}

pkey_ptr new_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key)
    fail("cannot generate an EC P-256 key");
  return key;
}

// The digest to sign with `key`: none for Ed25519 (it hashes itself), SHA-256 otherwise.
const EVP_MD* digest_for(EVP_PKEY* key) {
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

std::string spki_sha256(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0)
    fail("cannot encode a public key");
  std::string digest = sha256_hex(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return digest;
}

// What is wrong with a client's key, or empty when it is strong enough.
std::string key_problem(EVP_PKEY* key) {
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
void add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1)
    fail("cannot put \"" + printable(value) + "\" in a certificate subject");
}

// The text of the entries `nid` of `name`.
std::vector<std::string> name_entries(const X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, nid, i)) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
  }
  return out;
}

bool to_time(const ASN1_TIME* t, time_t& out) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
    return false;
  out = timegm(&tm);
  return true;
}

void set_random_serial(X509* cert) {
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
void set_validity(X509* cert, int days) {
  long after = static_cast<long>(days) * 24 * 3600;
  long before = std::min(-3600L, after - 3600);
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), before) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert), after))
    fail("cannot set a validity period");
}

// A v3 certificate skeleton: serial, validity, subject, issuer (`issuer`, or itself), key.
x509_ptr new_certificate(EVP_PKEY* key, const std::string& common_name,
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
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
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

void sign_certificate(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, digest_for(key)) <= 0)
    fail("cannot sign a certificate");
}

}  // namespace

// ---- keys, hashes, requests ------------------------------------------------------------------

std::string new_private_key_pem() {
  error_queue_guard guard;
  return pem_of(new_key().get());
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    throw pki_error("SHA-256 failed");
  }
  return hex(digest, n);
}

std::string public_key_sha256(const std::string& pem) {
  error_queue_guard guard;
  if (pem.size() > max_pem_bytes)
    throw pki_error("the PEM text is larger than " + std::to_string(max_pem_bytes) + " bytes");
  if (auto req = parse_request(pem))
    if (EVP_PKEY* key = X509_REQ_get0_pubkey(req.get()))
      return spki_sha256(key);
  if (auto cert = parse_certificate(pem))
    if (EVP_PKEY* key = X509_get0_pubkey(cert.get()))
      return spki_sha256(key);
  if (auto key = parse_private_key(pem))
    return spki_sha256(key.get());
  if (auto key = parse_public_key(pem))
    return spki_sha256(key.get());
  ERR_clear_error();
  throw pki_error("no certificate request, certificate or key in the PEM text");
}

std::string make_csr(const std::string& key_pem, const std::string& common_name,
                     const std::string& organization) {
  error_queue_guard guard;
  auto key = parse_private_key(key_pem);
  if (!key)
    fail("the key for the CSR is not a PEM private key");
  req_ptr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1)
    fail("cannot create a CSR");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  if (!organization.empty())
    add_name_entry(name, NID_organizationName, organization);
  add_name_entry(name, NID_commonName, common_name);
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_sign(req.get(), key.get(), digest_for(key.get())) <= 0)
    fail("cannot sign the CSR");
  return pem_of(req.get());
}

namespace {

// A CSR that passes the checks inspect_csr() documents.
req_ptr checked_request(const std::string& csr_pem) {
  if (csr_pem.size() > max_pem_bytes)
    throw pki_error("the CSR is larger than " + std::to_string(max_pem_bytes) + " bytes");
  auto req = parse_request(csr_pem);
  if (!req)
    fail("the CSR is not a PEM certificate request");
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (!key)
    fail("the CSR has no usable public key");
  if (X509_REQ_verify(req.get(), key) != 1)
    fail("the CSR's signature does not verify");
  if (auto problem = key_problem(key); !problem.empty())
    throw pki_error("the CSR's key is refused: " + problem);
  auto names = name_entries(X509_REQ_get_subject_name(req.get()), NID_commonName);
  if (names.size() != 1)
    throw pki_error("the CSR's subject must have exactly one CN, not " +
                    std::to_string(names.size()));
  return req;
}

}  // namespace

csr_info inspect_csr(const std::string& csr_pem) {
  error_queue_guard guard;
  auto req = checked_request(csr_pem);
  return {name_entries(X509_REQ_get_subject_name(req.get()), NID_commonName)[0],
          spki_sha256(X509_REQ_get0_pubkey(req.get()))};
}

// ---- certificate_authority --------------------------------------------------------------------

struct certificate_authority::parsed {
  x509_ptr certificate;
  pkey_ptr key;
};

certificate_authority::certificate_authority(std::string certificate_pem, std::string key_pem,
                                             std::shared_ptr<const parsed> p)
    : certificate_pem_(std::move(certificate_pem)),
      key_pem_(std::move(key_pem)),
      parsed_(std::move(p)) {}

certificate_authority certificate_authority::create(const std::string& common_name, int days) {
  error_queue_guard guard;
  auto p = std::make_shared<parsed>();
  p->key = new_key();
  p->certificate = new_certificate(p->key.get(), common_name, "", nullptr, days);
  X509* cert = p->certificate.get();
  add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_extension(cert, cert, NID_subject_key_identifier, "hash");
  sign_certificate(cert, p->key.get());
  std::string cert_pem = pem_of(cert);
  std::string key_pem = pem_of(p->key.get());
  return certificate_authority(std::move(cert_pem), std::move(key_pem), std::move(p));
}

certificate_authority certificate_authority::from_pem(const std::string& certificate_pem,
                                                      const std::string& key_pem) {
  error_queue_guard guard;
  auto p = std::make_shared<parsed>();
  p->certificate = parse_certificate(certificate_pem);
  if (!p->certificate)
    fail("the CA certificate is not a PEM certificate");
  if (X509_check_ca(p->certificate.get()) == 0)
    throw pki_error("the CA certificate is not a CA (no basicConstraints CA:TRUE)");
  p->key = parse_private_key(key_pem);
  if (!p->key)
    fail("the CA key is not an unencrypted PEM private key");
  if (EVP_PKEY_eq(X509_get0_pubkey(p->certificate.get()), p->key.get()) != 1)
    throw pki_error("the CA key is not the CA certificate's key");
  return certificate_authority(certificate_pem, key_pem, std::move(p));
}

certificate_authority certificate_authority::load_or_create(const std::string& dir,
                                                            const std::string& name,
                                                            const std::string& common_name) {
  const std::string cert_path = dir + "/" + name + ".crt";
  const std::string key_path = dir + "/" + name + ".key";
  std::error_code ec;
  bool have_cert = fs::exists(cert_path, ec);
  bool have_key = fs::exists(key_path, ec);
  if (have_cert && have_key) {
    try {
      return from_pem(read_small_file(cert_path, max_pem_bytes),
                      read_small_file(key_path, max_pem_bytes));
    } catch (const pki_error& e) {
      throw pki_error(cert_path + " and " + key_path + ": " + e.what());
    }
  }
  if (have_cert || have_key)
    throw pki_error((have_cert ? key_path : cert_path) + " is missing while " +
                    (have_cert ? cert_path : key_path) +
                    " exists: restore it (a new CA would break the trust of everyone holding "
                    "the old one)");
  auto ca = create(common_name, 3650);
  write_file_atomically(key_path, ca.key_pem(), 0600);
  write_file_atomically(cert_path, ca.certificate_pem(), 0644);
  return ca;
}

std::string certificate_authority::issue_client_certificate(const std::string& csr_pem,
                                                            const std::string& common_name,
                                                            const std::string& organization,
                                                            int days) const {
  error_queue_guard guard;
  auto req = checked_request(csr_pem);
  auto names = name_entries(X509_REQ_get_subject_name(req.get()), NID_commonName);
  if (names[0] != common_name)
    throw pki_error("the CSR's subject CN is \"" + printable(names[0]) + "\" but must be \"" +
                    printable(common_name) + "\"");
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  X509* ca = parsed_->certificate.get();
  auto cert = new_certificate(key, common_name, organization, ca, days);
  add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), ca, NID_ext_key_usage, "clientAuth");
  add_extension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
  sign_certificate(cert.get(), parsed_->key.get());
  return pem_of(cert.get());
}

std::pair<std::string, std::string> certificate_authority::issue_server_certificate(
    const std::string& common_name, const std::vector<std::string>& hosts, int days) const {
  error_queue_guard guard;
  if (hosts.empty())
    throw pki_error("a serving certificate needs at least one host");
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  if (!names)
    fail("cannot create a subject alternative name");
  auto free_names = [&names] { GENERAL_NAMES_free(names); };
  try {
    for (const auto& host : hosts) {
      if (host.empty() || host.size() > 253 || host.find_first_of(", \t\r\n") != std::string::npos)
        throw pki_error("\"" + printable(host) + "\" is not a host name or IP address");
      GENERAL_NAME* entry = GENERAL_NAME_new();
      if (!entry)
        fail("cannot create a subject alternative name");
      if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str())) {
        GENERAL_NAME_set0_value(entry, GEN_IPADD, ip);
      } else {
        ERR_clear_error();
        ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
        if (!dns || ASN1_STRING_set(dns, host.data(), static_cast<int>(host.size())) != 1) {
          ASN1_IA5STRING_free(dns);
          GENERAL_NAME_free(entry);
          fail("cannot create a subject alternative name");
        }
        GENERAL_NAME_set0_value(entry, GEN_DNS, dns);
      }
      if (!sk_GENERAL_NAME_push(names, entry)) {
        GENERAL_NAME_free(entry);
        fail("cannot create a subject alternative name");
      }
    }
    auto key = new_key();
    X509* ca = parsed_->certificate.get();
    auto cert = new_certificate(key.get(), common_name, "", ca, days);
    add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), ca, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
    if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) != 1)
      fail("cannot add the subject alternative names");
    sign_certificate(cert.get(), parsed_->key.get());
    free_names();
    return {pem_of(cert.get()), pem_of(key.get())};
  } catch (...) {
    free_names();
    throw;
  }
}

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

// ---- inspection ---------------------------------------------------------------------------------

std::optional<certificate_info> inspect_certificate(const std::string& pem) {
  error_queue_guard guard;
  auto cert = parse_certificate(pem);
  EVP_PKEY* key = cert ? X509_get0_pubkey(cert.get()) : nullptr;
  if (!key)
    return std::nullopt;
  certificate_info info;
  const X509_NAME* subject = X509_get_subject_name(cert.get());
  auto common_names = name_entries(subject, NID_commonName);
  auto organizations = name_entries(subject, NID_organizationName);
  info.common_name = common_names.empty() ? "" : common_names[0];
  info.organization = organizations.empty() ? "" : organizations[0];
  info.is_ca = X509_check_ca(cert.get()) != 0;
  if (!to_time(X509_get0_notBefore(cert.get()), info.not_before) ||
      !to_time(X509_get0_notAfter(cert.get()), info.not_after))
    return std::nullopt;
  try {
    info.public_key_sha256 = spki_sha256(key);
  } catch (const pki_error&) {
    return std::nullopt;
  }
  return info;
}

std::string server_certificate_problem(const std::string& ca_pem, const std::string& cert_pem,
                                       const std::vector<std::string>& hosts, int min_days_left) {
  error_queue_guard guard;
  auto ca = parse_certificate(ca_pem);
  if (!ca)
    return "the CA is not a PEM certificate";
  auto cert = parse_certificate(cert_pem);
  if (!cert)
    return "not a PEM certificate";
  store_ptr trusted(X509_STORE_new());
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!trusted || !ctx || X509_STORE_add_cert(trusted.get(), ca.get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), trusted.get(), cert.get(), nullptr) != 1)
    return "cannot set up a verification";
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1)
    return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  time_t not_after = 0;
  if (!to_time(X509_get0_notAfter(cert.get()), not_after) ||
      not_after - std::time(nullptr) < static_cast<time_t>(min_days_left) * 24 * 3600)
    return "it expires in less than " + std::to_string(min_days_left) + " days";
  for (const auto& host : hosts) {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
    ERR_clear_error();
    bool covered = ip ? X509_check_ip(cert.get(), ASN1_STRING_get0_data(ip),
                                      static_cast<std::size_t>(ASN1_STRING_length(ip)), 0) == 1
                      : X509_check_host(cert.get(), host.data(), host.size(), 0, nullptr) == 1;
    ASN1_OCTET_STRING_free(ip);
    if (!covered)
      return "it does not cover " + printable(host);
  }
  return "";
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

// ---- files ------------------------------------------------------------------------------------

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
  auto failure = [&path](const std::string& what) {
    return pki_error("cannot write " + path + ": " + what + ": " + std::strerror(errno));
  };
  fs::path target(path);
  fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw failure("cannot create " + partial.string());
  }
  std::string temporary = (parent / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(temporary.data());
  if (fd < 0)
    throw failure("cannot create a temporary file");
  auto abandon = [&](const std::string& what) {
    pki_error error = failure(what);
    ::close(fd);
    ::unlink(temporary.c_str());
    return error;
  };
  if (::fchmod(fd, mode) != 0)
    throw abandon("cannot set its mode");
  for (std::size_t written = 0; written < content.size();) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw abandon("cannot write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0)
    throw abandon("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw failure("cannot close");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    pki_error error = failure("cannot rename the temporary file");
    ::unlink(temporary.c_str());
    throw error;
  }
  int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string read_small_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw pki_error("cannot read " + path + ": " + std::strerror(errno));
  std::string content;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > limit)
      throw pki_error(path + " is larger than " + std::to_string(limit) + " bytes");
  }
  if (in.bad())
    throw pki_error("cannot read " + path);
  return content;
}

}  // namespace capstan::common
