#include "nodeagent/bootstrap.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "messages/name_rules.hpp"

namespace capstan::nodeagent {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

constexpr std::chrono::seconds step_timeout{10};
constexpr std::size_t max_answer_bytes = 1024 * 1024;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

struct http_answer {
  unsigned status = 0;
  std::string body;
};

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// One HTTPS request to the master. With `trusted_ca` the master's certificate must chain to it
// and name `host`; without, nothing is verified (only to fetch the CA, checked by its hash).
// Every step is bounded by step_timeout; the answer by max_answer_bytes.
http_answer https_request(const bootstrap_config& config, http::verb method,
                          const std::string& target, const std::string& body,
                          const std::optional<std::string>& trusted_ca) {
  const std::string where = config.api_host + ":" + std::to_string(config.api_port);
  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (trusted_ca) {
    boost::system::error_code ec;
    tls.add_certificate_authority(net::buffer(*trusted_ca), ec);
    if (ec)
      fail("the master's CA does not load: " + ec.message());
    tls.set_verify_mode(ssl::verify_peer);
  } else {
    tls.set_verify_mode(ssl::verify_none);
  }
  net::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  SSL* ssl_handle = stream.native_handle();
  const bool ip = is_ip_address(config.api_host);
  if (!ip)
    SSL_set_tlsext_host_name(ssl_handle, config.api_host.c_str());
  if (trusted_ca) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, config.api_host.c_str())
                 : X509_VERIFY_PARAM_set1_host(param, config.api_host.c_str(), 0);
    if (set != 1)
      fail("cannot verify the host name " + config.api_host);
  }

  // Runs one asynchronous step to its end (the stream's timer bounds it).
  boost::system::error_code result;
  auto run = [&io, &result](const char* step, const std::string& where_) {
    io.restart();
    io.run();
    if (result)
      fail("cannot " + std::string(step) + " https://" + where_ + ": " +
           (result == beast::error::timeout ? std::string("timed out after 10 s")
                                            : result.message()));
  };

  tcp::resolver resolver(io);
  boost::system::error_code resolve_error;
  auto endpoints =
      resolver.resolve(config.api_host, std::to_string(config.api_port), resolve_error);
  if (resolve_error)
    fail("cannot resolve " + config.api_host + ": " + resolve_error.message());
  beast::get_lowest_layer(stream).expires_after(step_timeout);
  beast::get_lowest_layer(stream).async_connect(
      endpoints, [&result](boost::system::error_code ec, const tcp::endpoint&) { result = ec; });
  run("connect to", where);

  beast::get_lowest_layer(stream).expires_after(step_timeout);
  stream.async_handshake(ssl::stream_base::client,
                         [&result](boost::system::error_code ec) { result = ec; });
  io.restart();
  io.run();
  if (result) {
    long verdict = SSL_get_verify_result(ssl_handle);
    if (trusted_ca && verdict != X509_V_OK)
      fail("the master at " + where +
           " is not the one the token names: its certificate does "
           "not verify against the CA whose hash the token carries (" +
           X509_verify_cert_error_string(verdict) + ")");
    fail(
        "cannot open TLS to https://" + where + ": " +
        (result == beast::error::timeout ? std::string("timed out after 10 s") : result.message()));
  }

  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, config.api_host);
  request.set(http::field::user_agent, "capstan-node");
  request.set(http::field::accept, "application/json, application/x-pem-file");
  if (!body.empty() || method == http::verb::post) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.keep_alive(false);
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(step_timeout);
  http::async_write(stream, request,
                    [&result](boost::system::error_code ec, std::size_t) { result = ec; });
  run("send a request to", where);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(max_answer_bytes);
  beast::get_lowest_layer(stream).expires_after(step_timeout);
  http::async_read(stream, buffer, parser,
                   [&result](boost::system::error_code ec, std::size_t) { result = ec; });
  run("read the answer of", where);
  http_answer answer{parser.get().result_int(), std::move(parser.get().body())};
  // No TLS shutdown: the answer is whole, and a master that does not answer close_notify must
  // not hold the node for another timeout.
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  return answer;
}

// The Status message of a refused request, or its first 200 bytes when it is not a Status.
std::string refusal_message(const http_answer& answer) {
  try {
    auto status = json::parse(answer.body);
    if (status.is_object() && status.contains("message") && status["message"].is_string())
      return status["message"].get<std::string>();
  } catch (const std::exception&) {
  }
  return answer.body.substr(0, 200);
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
  auto ca = https_request(config, http::verb::get, "/cacerts", "", std::nullopt);
  if (ca.status != 200)
    fail("the master at " + config.api_host + ":" + std::to_string(config.api_port) +
         " answered /cacerts with HTTP " + std::to_string(ca.status) + ": " + refusal_message(ca));
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
  auto answer = https_request(config, http::verb::post, "/v1-capstan/node-certificate",
                              request.dump(), ca.body);
  if (answer.status != 200)
    fail("the master refused a certificate for node " + config.node_name + ": HTTP " +
         std::to_string(answer.status) + ": " + refusal_message(answer));
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
