#include "api/node_bootstrap.hpp"

#include <cstdio>

#include "api/master_join.hpp"
#include "api/request_body.hpp"
#include "api/responses.hpp"
#include "common/join_proof.hpp"
#include "messages/name_rules.hpp"

namespace capstan::api {

namespace {

using messages::json;

const std::string cacerts_path = "/cacerts";
const std::string node_certificate_path = "/v1-capstan/node-certificate";

http_response method_not_allowed(const std::string& method, const std::string& allowed) {
  return status_error(405, "MethodNotAllowed",
                      "the server does not allow the method " +
                          (method.size() <= 16 ? method : method.substr(0, 16) + "...") +
                          " here (only " + allowed + ")");
}

http_response bad_request(const std::string& message) {
  return status_error(400, "BadRequest", message);
}

// The string field `name` of `body`, or nullptr when it is missing or not a string.
const std::string* string_field(const json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

}  // namespace

node_bootstrap::node_bootstrap(std::string server_ca_pem, common::certificate_authority client_ca,
                               std::string join_secret)
    : server_ca_pem_(std::move(server_ca_pem)),
      client_ca_(std::move(client_ca)),
      join_secret_(std::move(join_secret)) {}

bool node_bootstrap::is_public_path(std::string_view path) {
  return path == cacerts_path || path == node_certificate_path || path == master_join_path;
}

http_response node_bootstrap::handle(const http_request& request,
                                     const actors::read_model& model) const {
  try {
    if (request.path == cacerts_path) {
      if (request.method != "GET")
        return method_not_allowed(request.method, "GET");
      http_response out;
      out.content_type = "application/x-pem-file";
      out.body = server_ca_pem_;
      return out;
    }
    if (request.path == node_certificate_path) {
      if (request.method != "POST")
        return method_not_allowed(request.method, "POST");
      return certify(request, model);
    }
    if (request.path == master_join_path) {
      if (!master_join_)
        return status_error(404, "NotFound",
                            "this master runs alone (no --peer-address): no master may join it");
      return master_join_->handle(request);
    }
    return status_error(404, "NotFound", "the server could not find the requested resource");
  } catch (const std::exception& e) {
    return status_error(500, "InternalError", std::string("internal error: ") + e.what());
  }
}

http_response node_bootstrap::certify(const http_request& request,
                                      const actors::read_model& model) const {
  if (request.body.size() > max_node_certificate_request_bytes)
    return status_error(413, "RequestEntityTooLarge",
                        "the request body is larger than the limit of " +
                            std::to_string(max_node_certificate_request_bytes) + " bytes");
  auto parsed = parse_json_text(request.body, "the request body");
  if (auto* refused = std::get_if<http_response>(&parsed))
    return *refused;
  const json& body = std::get<json>(parsed);
  if (!body.is_object())
    return bad_request("the request body must be a JSON object with nodeName, csr and proof");
  const std::string* name = string_field(body, "nodeName");
  const std::string* csr = string_field(body, "csr");
  const std::string* proof = string_field(body, "proof");
  if (!name || !csr || !proof)
    return bad_request("nodeName, csr and proof must be strings");
  if (auto problems = messages::dns1123_subdomain(*name); !problems.empty())
    return bad_request("nodeName: Invalid value: " +
                       dump_json(name->size() <= 253 ? *name : name->substr(0, 253) + "...") +
                       ": " + problems.front());
  common::csr_info asked;
  try {
    asked = common::inspect_csr(*csr);
  } catch (const common::pki_error& e) {
    return bad_request(std::string("csr: ") + e.what());
  }
  // The proof first: without the token nothing more about the cluster is told.
  if (!common::proofs_equal(
          *proof, common::node_certificate_proof(join_secret_, *name, asked.public_key_sha256)))
    return status_error(401, "Unauthorized", "the node token is wrong");
  const std::string common_name = "system:node:" + *name;
  if (asked.common_name != common_name)
    return bad_request("csr: the subject CN must be \"" + common_name + "\"");
  // Identity binding: a name registered to one machine's key is not certified for another.
  std::string registered_key;
  model.read_object(messages::object_kind::node, {"", *name}, [&](const messages::any_object* o) {
    if (!o)
      return;
    const auto& annotations = messages::meta_of(*o).annotations;
    auto it = annotations.find(node_key_annotation);
    if (it != annotations.end())
      registered_key = it->second;
  });
  if (!registered_key.empty() && registered_key != asked.public_key_sha256)
    return status_error(
        409, "Conflict",
        "node " + *name + " is registered to another machine (key sha256 " +
            (registered_key.size() <= 64 ? registered_key : registered_key.substr(0, 64) + "...") +
            "); delete the node (kubectl delete node " + *name + ") to register it anew",
        "nodes", *name);
  std::string certificate;
  try {
    certificate =
        client_ca_.issue_client_certificate(*csr, common_name, nodes_group, node_certificate_days);
  } catch (const common::pki_error& e) {
    return bad_request(std::string("csr: ") + e.what());
  }
  std::fprintf(stderr, "capstan api: issued a certificate for %s (key sha256 %s)\n",
               common_name.c_str(), asked.public_key_sha256.c_str());
  return json_response(200, json{{"certificate", certificate}, {"serverCA", server_ca_pem_}});
}

}  // namespace capstan::api
