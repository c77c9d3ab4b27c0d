#include "api/credentials.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace capstan::api {

namespace fs = std::filesystem;

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("tls: " + what);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_private(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  ::chmod(p.c_str(), 0600);
  if (!out)
    fail("cannot write " + p.string());
}

pkey_ptr new_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key)
    fail("cannot generate a key");
  return key;
}

std::string pem_of(X509* cert) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext)
    fail("cannot build extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

x509_ptr new_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key,
                  long days) {
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  return cert;
}

}  // namespace

tls_material ensure_tls(const std::string& data_dir, const std::vector<std::string>& hosts) {
  fs::path dir = fs::path(data_dir) / "tls";
  if (fs::exists(dir / "ca.crt") && fs::exists(dir / "server.crt") &&
      fs::exists(dir / "server.key"))
    return {read_file(dir / "ca.crt"), read_file(dir / "server.crt"),
            read_file(dir / "server.key")};
  fs::create_directories(dir);
  auto ca_key = new_key();
  auto ca = new_cert(ca_key.get(), "capstan-ca", nullptr, nullptr, 3650);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  if (!X509_sign(ca.get(), ca_key.get(), EVP_sha256()))
    fail("cannot sign the CA");
  auto key = new_key();
  auto cert = new_cert(key.get(), "capstan-apiserver", ca.get(), ca_key.get(), 3650);
  std::string san;
  for (const auto& h : hosts) {
    bool ip = h.find_first_not_of("0123456789.") == std::string::npos;
    san += (san.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + h;
  }
  add_extension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  add_extension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), ca.get(), NID_subject_alt_name, san);
  if (!X509_sign(cert.get(), ca_key.get(), EVP_sha256()))
    fail("cannot sign the serving certificate");
  tls_material m{pem_of(ca.get()), pem_of(cert.get()), pem_of(key.get())};
  write_private(dir / "ca.key", pem_of(ca_key.get()));
  write_private(dir / "server.key", m.key_pem);
  write_private(dir / "server.crt", m.cert_pem);
  write_private(dir / "ca.crt", m.ca_cert_pem);
  ::chmod((dir / "ca.crt").c_str(), 0644);
  return m;
}

token_table token_table::load_or_create(const std::string& data_dir) {
  fs::path path = fs::path(data_dir) / "tokens.csv";
  token_table t;
  if (!fs::exists(path)) {
    unsigned char raw[24];
    RAND_bytes(raw, sizeof raw);
    std::string token;
    char hex[3];
    for (unsigned char c : raw) {
      std::snprintf(hex, sizeof hex, "%02x", c);
      token += hex;
    }
    write_private(path, token + ",admin,admin\n");
  }
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    std::vector<std::string> parts;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, ','))
      parts.push_back(part);
    if (parts.size() < 2 || parts[0].empty())
      continue;
    t.entries_.push_back({parts[0], {parts[1], parts.size() > 2 ? parts[2] : parts[1]}});
    if (parts[1] == "admin" && t.admin_token_.empty())
      t.admin_token_ = parts[0];
  }
  return t;
}

std::optional<user_info> token_table::authenticate(const std::string& token) const {
  std::optional<user_info> found;
  for (const auto& e : entries_)
    if (e.token.size() == token.size() &&
        CRYPTO_memcmp(e.token.data(), token.data(), token.size()) == 0)
      found = e.user;
  return found;
}

void write_kubeconfig(const std::string& path, const std::string& server, const std::string& ca_pem,
                      const std::string& user, const std::string& token) {
  std::string ca64;
  {
    std::vector<unsigned char> out(4 * ((ca_pem.size() + 2) / 3) + 1);
    int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(ca_pem.data()),
                            static_cast<int>(ca_pem.size()));
    ca64.assign(reinterpret_cast<char*>(out.data()), static_cast<std::size_t>(n));
  }
  std::ostringstream y;
  y << "apiVersion: v1\nkind: Config\n"
    << "clusters:\n- name: capstan\n  cluster:\n    server: " << server
    << "\n    certificate-authority-data: " << ca64 << "\n"
    << "users:\n- name: " << user << "\n  user:\n    token: " << token << "\n"
    << "contexts:\n- name: capstan\n  context:\n    cluster: capstan\n    user: " << user
    << "\n    namespace: default\n"
    << "current-context: capstan\n";
  write_private(path, y.str());
}

}  // namespace capstan::api
