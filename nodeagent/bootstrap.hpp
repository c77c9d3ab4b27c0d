// A node's credentials, obtained k3s-style before it joins: it checks the master's CA against
// the hash its join token carries, proves the token's secret, and receives a client certificate
// for system:node:NAME. Links no master code (common/, messages/, Boost and OpenSSL only).
#pragma once

#include <cstdint>
#include <string>

namespace capstan::nodeagent {

struct bootstrap_config {
  std::string api_host;  // the master's HTTPS API (an IP address or a DNS name)
  uint16_t api_port = 6443;
  std::string token;      // K10<sha256 of the master's CA>::<secret>, or a bare secret
  std::string node_name;  // a DNS-1123 subdomain
  std::string dir;        // where the credentials live (created 0700), e.g. DATA/pki
  // Accept a bare secret (no CA hash) and trust whatever CA the master serves on first
  // contact. A K10 token's hash is checked all the same.
  bool insecure_skip_ca_check = false;
};

struct node_credentials {
  std::string ca_file;           // DIR/server-ca.crt: the master's server CA (0644)
  std::string certificate_file;  // DIR/node.crt: system:node:NAME, O=system:nodes (0600)
  std::string key_file;          // DIR/node.key: EC P-256 (0600)
  bool reused = false;           // true when no network was needed
};

// Returns the node's credentials, asking the master only when needed:
// - DIR's key, certificate and CA are reused, without any network, when the certificate is
//   for system:node:NAME, matches the key, is valid for at least one more day, and the CA's
//   SHA-256 is the token's (or insecure_skip_ca_check);
// - otherwise the key is kept (created when missing: the node's identity stays), the CA is
//   fetched from https://HOST:PORT/cacerts without verification and its SHA-256 compared with
//   the token's before anything secret is sent, then the CSR and its proof are posted to
//   /v1-capstan/node-certificate over TLS verified against that CA and the host; CA and
//   certificate are saved atomically.
// Blocks for at most about 10 s per connection step (connect, handshake, write, read); answers
// are bounded to 1 MiB. Throws std::runtime_error saying what failed: a malformed or bare
// token, a CA whose hash is not the token's (nothing is then written but the key), a master
// whose certificate does not verify against the CA, or the master's refusal with its HTTP
// status and message (401: a wrong token, 409: the name belongs to another machine).
node_credentials bootstrap_node_credentials(const bootstrap_config& config);

// Writes credentials obtained another way (an operator or a benchmark provisioning nodes from
// the node CA directly) where bootstrap_node_credentials finds and reuses them: DIR/server-ca.crt
// (0644), DIR/node.crt and DIR/node.key (0600), atomically. Throws common::pki_error.
node_credentials store_node_credentials(const std::string& dir, const std::string& server_ca_pem,
                                        const std::string& certificate_pem,
                                        const std::string& key_pem);

}  // namespace capstan::nodeagent
