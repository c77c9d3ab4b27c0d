#include "nodeagent/bootstrap.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "common/join_proof.hpp"
#include "common/pinned_https.hpp"
#include "common/pki.hpp"
#include "messages/name_rules.hpp"

namespace capstan::nodeagent {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

std::optional<std::string> read_if_exists(const std::string& path) {
  if (!file_exists(path))
    return std::nullopt;
  return common::read_small_file(path, common::max_pem_bytes);
}

// Whether DIR's credentials serve as they are (see bootstrap_node_credentials).
bool reusable(const node_credentials& files, const std::string& key_pem,
              const common::join_token& token, const std::string& common_name,
              bool insecure_skip_ca_check) {
  auto certificate = read_if_exists(files.certificate_file);
  auto ca = read_if_exists(files.ca_file);
  if (!certificate || !ca)
    return false;
  auto info = common::inspect_certificate(*certificate);
  if (!info || info->common_name != common_name || info->is_ca ||
      !common::key_matches_certificate(key_pem, *certificate))
    return false;
  if (info->not_after - std::time(nullptr) < 24 * 3600)
    return false;
  if (!common::inspect_certificate(*ca))
    return false;
  return token.ca_hash.empty() ? insecure_skip_ca_check : common::sha256_hex(*ca) == token.ca_hash;
}

}  // namespace

node_credentials bootstrap_node_credentials(const bootstrap_config& config) {
  if (auto problems = messages::dns1123_subdomain(config.node_name); !problems.empty())
    fail("the node name \"" + config.node_name.substr(0, 253) +
         "\" is invalid: " + problems.front());
  if (config.dir.empty())
    fail("no directory for the node's credentials");
  auto token = common::parse_join_token(config.token);
  if (!token)
    fail(
        "the join token is malformed: expected K10<sha256 of the master's CA>::<secret> (the "
        "content of DATA/node-token on the master)");
  if (token->ca_hash.empty() && !config.insecure_skip_ca_check)
    fail(
        "the join token is a bare secret without the hash of the master's CA: the node cannot "
        "tell the master from an impostor; use the full K10... token from DATA/node-token on "
        "the master, or pass --insecure-skip-ca-check to trust whatever master answers");
  const std::string common_name = "system:node:" + config.node_name;
  node_credentials files{config.dir + "/server-ca.crt", config.dir + "/node.crt",
                         config.dir + "/node.key", false};

  // The key is the node's identity: kept across certificates.
  std::string key_pem;
  if (auto existing = read_if_exists(files.key_file)) {
    key_pem = *existing;
    try {
      common::public_key_sha256(key_pem);
    } catch (const common::pki_error& e) {
      fail(files.key_file + " is not a usable private key (" + e.what() +
           "): remove it to make a new identity");
    }
  } else {
    key_pem = common::new_private_key_pem();
    common::write_file_atomically(files.key_file, key_pem, 0600);
  }

  if (reusable(files, key_pem, *token, common_name, config.insecure_skip_ca_check)) {
    files.reused = true;
    return files;
  }

  // 1. The master's CA, unverified, checked by its hash before anything secret is sent.
  const common::https_target master{config.api_host, config.api_port, "capstan-node"};
  auto ca = common::pinned_https_request(master, "GET", "/cacerts", "", std::nullopt);
  if (ca.status != 200)
    fail("the master at " + config.api_host + ":" + std::to_string(config.api_port) +
         " answered /cacerts with HTTP " + std::to_string(ca.status) + ": " +
         common::refusal_message(ca));
  const std::string ca_hash = common::sha256_hex(ca.body);
  if (!token->ca_hash.empty() && ca_hash != token->ca_hash)
    fail("the master's CA has sha256 " + ca_hash + " but the token expects " + token->ca_hash +
         ": refusing to talk to this master");
  if (ca.body.size() > common::max_pem_bytes || !common::inspect_certificate(ca.body))
    fail("the master's /cacerts is not a PEM certificate");
  common::write_file_atomically(files.ca_file, ca.body, 0644);

  // 2. The certificate, over TLS verified against that CA.
  const std::string csr = common::make_csr(key_pem, common_name, "system:nodes");
  json request = {{"nodeName", config.node_name},
                  {"csr", csr},
                  {"proof", common::node_certificate_proof(token->secret, config.node_name,
                                                           common::public_key_sha256(key_pem))}};
  auto answer = common::pinned_https_request(master, "POST", "/v1-capstan/node-certificate",
                                            request.dump(), ca.body);
  if (answer.status != 200)
    fail("the master refused a certificate for node " + config.node_name + ": HTTP " +
         std::to_string(answer.status) + ": " + common::refusal_message(answer));
  std::string certificate;
  try {
    auto body = json::parse(answer.body);
    certificate = body.at("certificate").get<std::string>();
  } catch (const std::exception&) {
    fail("the master's answer holds no certificate");
  }
  auto info = common::inspect_certificate(certificate);
  if (!info || info->common_name != common_name ||
      !common::key_matches_certificate(key_pem, certificate))
    fail("the master's certificate is not for " + common_name + " and this node's key");
  common::write_file_atomically(files.certificate_file, certificate, 0600);
  return files;
}

node_credentials store_node_credentials(const std::string& dir, const std::string& server_ca_pem,
                                        const std::string& certificate_pem,
                                        const std::string& key_pem) {
  node_credentials files{dir + "/server-ca.crt", dir + "/node.crt", dir + "/node.key", false};
  common::write_file_atomically(files.key_file, key_pem, 0600);
  common::write_file_atomically(files.certificate_file, certificate_pem, 0600);
  common::write_file_atomically(files.ca_file, server_ca_pem, 0644);
  return files;
}

}  // namespace capstan::nodeagent
