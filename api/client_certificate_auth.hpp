// The API's client-certificate authenticator (Kubernetes' x509 one): a TLS client certificate
// signed by the master's client CA (the one that certifies nodes), valid now and for
// clientAuth, proves user = its CN, groups = its O and system:authenticated. The CA certifies
// node keys only (api/node_bootstrap), so in practice this is how a node (system:node:NAME, in
// system:nodes) talks to the API — with kubectl or curl and the node's DATA/pki files.
//
// Unlike Kubernetes, a node's certificate can be revoked: it proves system:node:NAME only while
// the Node NAME is absent or registered to that certificate's key (annotation
// capstan.io/node-key-sha256), so a machine replaced under the same name takes the name's
// rights with it.
#pragma once

#include <optional>
#include <string>

#include "actors/read_model/read_model.hpp"
#include "auth/request_attributes.hpp"
#include "common/pki.hpp"

namespace capstan::api {

// The identity `certificate_pem` (the peer certificate of a TLS handshake, whose key the peer
// proved it holds) proves, or nullopt. One verification (remembered by the verifier) and one
// Node lookup under the read model's shared lock; never throws.
std::optional<auth::user_identity> authenticate_client_certificate(
    const actors::read_model& model, const common::client_certificate_verifier& verifier,
    const std::string& certificate_pem);

}  // namespace capstan::api
