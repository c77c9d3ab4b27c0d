#include "actors/nodes/join_checks.hpp"

#include "messages/validation.hpp"

namespace capstan::actors {

using messages::refusal;
using messages::refusal_reason;

std::variant<admitted_node, refusal> check_join_proof(
    const messages::node_proof& proof, const std::string& nonce,
    const common::client_certificate_verifier& verifier,
    const std::optional<messages::node>& registered) {
  const std::string& name = proof.description.metadata.name;
  if (proof.certificate.size() > max_certificate_bytes ||
      proof.signature.size() > max_signature_bytes)
    return refusal{refusal_reason::too_large, "the certificate or signature is too large"};
  std::string why;
  auto identity = verifier.verify(proof.certificate, why);
  if (!identity)
    return refusal{refusal_reason::bad_certificate,
                   "the certificate was not issued by this master's node CA: " + why};
  if (identity->common_name != "system:node:" + name)
    return refusal{refusal_reason::wrong_node, "the certificate is for " + identity->common_name +
                                                   ", not system:node:" + name};
  if (!verifier.verify_signed(proof.certificate, messages::join_challenge_text(nonce, name),
                              proof.signature, why))
    return refusal{refusal_reason::bad_signature,
                   "the join challenge was not signed with the certificate's key"};
  auto problems = messages::validate(messages::any_object(proof.description));
  if (!problems.empty())
    return refusal{refusal_reason::invalid_node,
                   "the node description is not a valid Node: " + problems.front().to_string()};
  if (registered) {
    auto bound = registered->metadata.annotations.find(node_key_annotation);
    if (bound != registered->metadata.annotations.end() && bound->second != identity->public_key_sha256)
      return refusal{refusal_reason::identity_taken,
                     "node " + name + " is registered to another machine (key sha256 " +
                         bound->second.substr(0, 16) +
                         "...); delete the node (kubectl delete node " + name +
                         ") to register it anew"};
  }
  return admitted_node{proof.description, identity->public_key_sha256};
}

}  // namespace capstan::actors
