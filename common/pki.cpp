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
  return issue_certificate_for_hosts(common_name, "", hosts, "serverAuth", days);
}

std::pair<std::string, std::string> certificate_authority::issue_peer_certificate(
    const std::string& common_name, const std::string& organization,
    const std::vector<std::string>& hosts, int days) const {
  return issue_certificate_for_hosts(common_name, organization, hosts, "serverAuth,clientAuth",
                                     days);
}

std::pair<std::string, std::string> certificate_authority::issue_certificate_for_hosts(
    const std::string& common_name, const std::string& organization,
    const std::vector<std::string>& hosts, const char* extended_key_usage, int days) const {
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
    auto cert = new_certificate(key.get(), common_name, organization, ca, days);
    add_extension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), ca, NID_ext_key_usage, extended_key_usage);
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

}  // namespace capstan::common
