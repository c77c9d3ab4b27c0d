// Whether a node's join proof admits it: the certificate chains to the master's client CA and
// names the node, the challenge is signed with the certificate's key, the description is a
// valid Node of that name, and the node is not registered to another key. Pure functions
// over values, for the node gateway (and its tests).
#pragma once

#include <optional>
#include <string>

#include "common/pki.hpp"
#include "messages/node_protocol.hpp"

namespace capstan::actors {

// The annotation that binds a registered node to the key of its certificate (SHA-256 of its
// public key, hex). Set when the node is first registered through the gateway; a join with
// another key is refused until the node is deleted.
inline constexpr const char* node_key_annotation = "capstan.io/node-key-sha256";

// Limits on one join (beyond the transport's message size).
inline constexpr std::size_t max_nodes_per_join = 10000;
inline constexpr std::size_t max_certificate_bytes = 16 * 1024;
inline constexpr std::size_t max_signature_bytes = 1024;

struct admitted_node {
  messages::node description;  // validated, named as the certificate says
  std::string key_sha256;      // the certificate's public key
};

// Checks one proof against the session's nonce. `registered` is the node as stored now (if
// any). On success the admitted node; otherwise the refusal to send back.
std::variant<admitted_node, messages::refusal> check_join_proof(
    const messages::node_proof& proof, const std::string& nonce,
    const common::client_certificate_verifier& verifier,
    const std::optional<messages::node>& registered);

}  // namespace capstan::actors
