// The API server's credentials, created on the master's first start (as k3s does): in DATA/tls/
// the server CA (ca.crt, whose hash node tokens carry) and the serving certificate, the client
// CA that signs node certificates (client-ca.crt); the static token file DATA/tokens.csv
// (api/token_file.hpp), and DATA/admin.kubeconfig for kubectl.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/token_file.hpp"
#include "common/pki.hpp"

namespace capstan::api {

struct tls_material {
  std::string ca_cert_pem;
  std::string cert_pem;  // serving certificate, signed by the CA
  std::string key_pem;
};

// Loads DATA/tls/, or creates what is missing: the server CA (ca.crt 0644, ca.key 0600; never
// replaced once it exists) and a serving certificate (EKU serverAuth) for `hosts` (IP
// addresses or DNS names), reissued when it does not cover them all, is not from the CA or
// expires within 30 days. Throws std::runtime_error.
tls_material ensure_tls(const std::string& data_dir, const std::vector<std::string>& hosts);

// The client CA that signs node certificates (system:node:NAME): DATA/tls/client-ca.crt and
// client-ca.key, created on first use. Distinct from the server CA, so that no node certificate
// can pass for the master. Throws std::runtime_error.
common::certificate_authority ensure_node_authority(const std::string& data_dir);

// Writes a kubeconfig for `server` (https://HOST:PORT) with the CA and a token. Mode 0600.
void write_kubeconfig(const std::string& path, const std::string& server, const std::string& ca_pem,
                      const std::string& user, const std::string& token);

}  // namespace capstan::api
