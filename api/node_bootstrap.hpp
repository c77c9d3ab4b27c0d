// The two doors a node uses before it has credentials of its own, answered without a bearer
// token (k3s' /cacerts, kubelet TLS bootstrap's shape):
//   GET  /cacerts                      the server CA, exactly the bytes whose SHA-256 join
//                                      tokens carry (application/x-pem-file);
//   POST /v1-capstan/node-certificate  {"nodeName", "csr", "proof"} -> 200 {"certificate",
//                                      "serverCA"}: a client certificate for
//                                      system:node:NAME (O=system:nodes) from the client CA,
//                                      when `proof` is node_certificate_proof(secret, NAME,
//                                      SHA-256 of the CSR's public key).
// Refusals are Kubernetes Status answers: 400 (malformed body, name or CSR; a CSR whose CN is
// not system:node:NAME), 401 (a wrong proof), 409 (the Node NAME is registered with another
// key: its annotation capstan.io/node-key-sha256), 405 (another method). A refusal changes
// nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "actors/nodes/join_checks.hpp"
#include "actors/read_model/read_model.hpp"
#include "api/rest_handler.hpp"
#include "common/pki.hpp"

namespace capstan::api {

class master_join;

// The annotation that binds a Node to its machine's key (set by the node gateway at the first
// registration); once set, only that key is certified for the name.
using actors::node_key_annotation;
// The organization of node certificates (Kubernetes' group of kubelets).
inline constexpr const char* nodes_group = "system:nodes";
// How long a node certificate is valid, in days.
inline constexpr int node_certificate_days = 365;
// The largest body POST /v1-capstan/node-certificate reads.
inline constexpr std::size_t max_node_certificate_request_bytes = 64 * 1024;

class node_bootstrap {
public:
  // `server_ca_pem`: what /cacerts serves; `client_ca` signs node certificates; `join_secret`:
  // the secret of the join token (never the full K10 text).
  node_bootstrap(std::string server_ca_pem, common::certificate_authority client_ca,
                 std::string join_secret);

  // Opens the door other masters join by (api/master_join.hpp), also answered without a bearer
  // token; while it is not open (a master alone), it answers 404. Call before serving.
  void admit_masters(std::shared_ptr<const master_join> door) { master_join_ = std::move(door); }

  // Whether `path` (as http_request::path: no query, no trailing slash) is one of the doors
  // above or the masters' one, which the server answers without a bearer token.
  static bool is_public_path(std::string_view path);

  // The certificate of the CA that signs node certificates (what client certificates verify
  // against).
  const std::string& client_ca_pem() const { return client_ca_.certificate_pem(); }

  // Answers a request to one of the public paths (404 for any other). `model` is read for the
  // Node's key annotation. Thread-safe; never throws. Signing takes CPU: call it from a handler
  // thread, never an io thread.
  http_response handle(const http_request& request, const actors::read_model& model) const;

private:
  http_response certify(const http_request& request, const actors::read_model& model) const;

  const std::string server_ca_pem_;
  const common::certificate_authority client_ca_;
  const std::string join_secret_;
  std::shared_ptr<const master_join> master_join_;
};

}  // namespace capstan::api
