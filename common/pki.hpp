// The cluster's certificates as pure functions over PEM text (OpenSSL 3, libcrypto only): EC
// P-256 keys and CSRs, certificate authorities that issue serving and client certificates, the
// verification of client certificates, signatures, and atomic writes of key material.
//
// Every function here that reads PEM refuses more than max_pem_bytes of it, and leaves the
// calling thread's OpenSSL error queue empty (a stale entry would confuse a later TLS call on
// the same thread). Errors are pki_error with a message that says what was wrong.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capstan::common {

struct pki_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The most PEM text (a key, a CSR, a certificate) any function here reads.
constexpr std::size_t max_pem_bytes = 16 * 1024;

// A new EC P-256 private key, PKCS#8 PEM ("BEGIN PRIVATE KEY").
std::string new_private_key_pem();

// SHA-256 of `bytes`, 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// SHA-256 (hex) of the DER SubjectPublicKeyInfo of the public key in `pem`: the first
// certificate request, certificate or private key found in it (in that order). Throws
// pki_error when `pem` holds none of them.
std::string public_key_sha256(const std::string& pem);

// A CSR for `key_pem` with subject CN=`common_name` and, when not empty, O=`organization`,
// signed with SHA-256. Throws pki_error.
std::string make_csr(const std::string& key_pem, const std::string& common_name,
                     const std::string& organization);

// What a certificate request asks for, once checked: it parses (at most max_pem_bytes), its
// self-signature verifies, its key is EC (>= 256 bits), RSA (2048 to 8192 bits) or Ed25519, and
// its subject has exactly one CN. Throws pki_error saying which check failed.
struct csr_info {
  std::string common_name;
  std::string public_key_sha256;
};
csr_info inspect_csr(const std::string& csr_pem);

// A certificate authority: its certificate and private key. Copies share the parsed key.
// Thread-safety: const members may be called from any number of threads at once.
class certificate_authority {
public:
  // A new self-signed EC P-256 CA (basicConstraints CA:TRUE, keyUsage keyCertSign, cRLSign,
  // digitalSignature) valid for `days` days.
  static certificate_authority create(const std::string& common_name, int days);
  // A CA from its PEM texts. Throws pki_error when either does not parse, the certificate is
  // not a CA, or the key is not the certificate's.
  static certificate_authority from_pem(const std::string& certificate_pem,
                                        const std::string& key_pem);
  // DIR/NAME.crt and DIR/NAME.key when both exist (checked as from_pem does); when neither
  // does, a new CA for `common_name`, valid 10 years, written atomically (the key first, mode
  // 0600; the certificate 0644; DIR created 0700). One file without the other throws: a CA
  // others trust is never replaced behind their back.
  static certificate_authority load_or_create(const std::string& dir, const std::string& name,
                                              const std::string& common_name);

  // Exactly the bytes read or written: what a client's pinned hash is computed over.
  const std::string& certificate_pem() const { return certificate_pem_; }
  const std::string& key_pem() const { return key_pem_; }

  // A client certificate for the key of `csr_pem`, which must pass inspect_csr() and ask for
  // CN=`common_name`. The certificate's subject is
  // CN=`common_name`, O=`organization` (what the CSR asked for otherwise is ignored); EKU
  // clientAuth, keyUsage digitalSignature (critical), basicConstraints CA:FALSE (critical), a
  // random serial, valid from an hour ago for `days` days (a negative `days` gives an expired
  // certificate, for tests). Throws pki_error saying what was wrong with the CSR.
  std::string issue_client_certificate(const std::string& csr_pem, const std::string& common_name,
                                       const std::string& organization, int days) const;

  // A new key and a serving certificate for `hosts` (IPv4/IPv6 addresses become IP SANs, the
  // rest DNS SANs; none may be empty or contain a comma or a blank) with subject
  // CN=`common_name`, EKU serverAuth only, keyUsage digitalSignature, keyEncipherment. Returns
  // (certificate PEM, private key PEM). Throws pki_error.
  std::pair<std::string, std::string> issue_server_certificate(
      const std::string& common_name, const std::vector<std::string>& hosts, int days) const;
  // The same, for a member of a group whose members connect to one another (the masters' Raft
  // traffic): subject CN=`common_name`, O=`organization`, EKU serverAuth and clientAuth, so the
  // one certificate serves a member's listener and authenticates its outgoing connections.
  std::pair<std::string, std::string> issue_peer_certificate(const std::string& common_name,
                                                             const std::string& organization,
                                                             const std::vector<std::string>& hosts,
                                                             int days) const;

private:
  struct parsed;
  std::pair<std::string, std::string> issue_certificate_for_hosts(
      const std::string& common_name, const std::string& organization,
      const std::vector<std::string>& hosts, const char* extended_key_usage, int days) const;
  certificate_authority(std::string certificate_pem, std::string key_pem,
                        std::shared_ptr<const parsed> p);
  std::string certificate_pem_;
  std::string key_pem_;
  std::shared_ptr<const parsed> parsed_;  // immutable once built
};

// Who a verified client certificate names.
struct certified_identity {
  std::string common_name;
  std::string organization;       // the first O of the subject; empty when there is none
  std::string public_key_sha256;  // as public_key_sha256() computes it
};

// Verifies client certificates against one CA. The CA is parsed once, at construction (throws
// pki_error when it does not parse); the verify functions may then be called from many threads
// at once. A certificate that verified is remembered (by the SHA-256 of its PEM text, its key
// kept parsed; at most 65,536 of them, then the memory starts over): OpenSSL 3.0 takes ~0.3 ms
// to parse a certificate, a remembered one is checked again for its validity period only.
class client_certificate_verifier {
public:
  explicit client_certificate_verifier(const std::string& ca_certificate_pem);
  ~client_certificate_verifier();
  client_certificate_verifier(const client_certificate_verifier&) = delete;
  client_certificate_verifier& operator=(const client_certificate_verifier&) = delete;

  // The identity in `cert_pem` (its first certificate; at most max_pem_bytes) when it is signed
  // by the CA, within its validity period now, not a CA itself, and allows clientAuth (an EKU
  // without clientAuth, or a keyUsage without digitalSignature, is refused). Otherwise nullopt,
  // and `why` says what failed. Never throws for bad input.
  std::optional<certified_identity> verify(const std::string& cert_pem, std::string& why) const;
  // verify(), and that `signature` is the signature of `data` by the certificate's key (proof
  // that the presenter holds the key), with one parse of the certificate.
  std::optional<certified_identity> verify_signed(const std::string& cert_pem,
                                                  std::string_view data, std::string_view signature,
                                                  std::string& why) const;

private:
  struct verified;
  struct store;
  std::shared_ptr<const verified> check(const std::string& cert_pem, std::string& why) const;
  std::unique_ptr<store> store_;
};

// What a certificate says about itself (nothing here is verified).
struct certificate_info {
  std::string common_name;   // the first CN; empty when there is none
  std::string organization;  // the first O; empty when there is none
  std::string public_key_sha256;
  time_t not_before = 0;
  time_t not_after = 0;
  bool is_ca = false;
};
// The first certificate in `pem` (at most max_pem_bytes), or nullopt when there is none.
// Never throws.
std::optional<certificate_info> inspect_certificate(const std::string& pem);

// What is wrong with `cert_pem` as a TLS serving certificate from the CA `ca_pem` for every one
// of `hosts` (IP addresses matched against IP SANs, names against DNS SANs), valid for at least
// `min_days_left` more days; empty when nothing is. Never throws.
std::string server_certificate_problem(const std::string& ca_pem, const std::string& cert_pem,
                                       const std::vector<std::string>& hosts, int min_days_left);

// The ECDSA-SHA256 (or RSA / Ed25519, by the key's type) signature of `data`, DER bytes.
// Throws pki_error when `key_pem` is not a private key.
std::string sign(const std::string& key_pem, std::string_view data);
// Whether `signature` is the signature of `data` by the key of the certificate `cert_pem`.
// False for any malformed input; never throws.
bool verify_signature(const std::string& cert_pem, std::string_view data,
                      std::string_view signature);
// Whether the private key `key_pem` belongs to the certificate `cert_pem`. False for any
// malformed input; never throws.
bool key_matches_certificate(const std::string& key_pem, const std::string& cert_pem);

// Writes `content` to `path` with permissions `mode`: a temporary file in the same directory,
// written, fsynced, renamed over `path`; missing parent directories are created with mode
// 0700. A reader sees the old content or the new one, never a part. Throws pki_error naming
// the path.
void write_file_atomically(const std::string& path, const std::string& content, mode_t mode);

// Creates `path` (and missing parents) with mode 0700, and narrows an existing `path` to 0700:
// what is inside is then out of other users' reach whatever its own modes. Throws pki_error
// naming the path.
void make_private_directory(const std::string& path);

// The content of `path`, at most `limit` bytes (more throws). Throws pki_error naming the path
// when it cannot be read.
std::string read_small_file(const std::string& path, std::size_t limit = 1024 * 1024);

}  // namespace capstan::common
