#include "tools/ctl/connection.hpp"

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include <openssl/evp.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "messages/yaml_codec.hpp"

namespace capstan::ctl {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using messages::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string base64_decode(const std::string& in) {
  std::string out(in.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0)
    return {};
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '\0')
    out.pop_back();
  return out;
}

// The member `key` of `o`, or null: a reference into `o`, never a copy.
const json& member(const json& o, const char* key) {
  static const json none;
  if (!o.is_object())
    return none;
  auto it = o.find(key);
  return it == o.end() ? none : *it;
}

const json* named(const json& list, const std::string& name, const char* field) {
  if (!list.is_array())
    return nullptr;
  for (const auto& item : list)
    if (item.is_object() && item.value("name", "") == name && item.contains(field))
      return &member(item, field);
  return nullptr;
}

}  // namespace

std::optional<connection> resolve_connection(const connection_options& o, std::string* error) {
  connection c;
  std::string path = o.kubeconfig;
  if (path.empty())
    if (const char* env = std::getenv("KUBECONFIG"))
      path = env;
  if (path.empty())
    if (const char* home = std::getenv("HOME"))
      path = std::string(home) + "/.kube/config";
  std::string server = o.server;
  if (!path.empty() && std::ifstream(path).good()) {
    try {
      auto docs = messages::parse_yaml_documents(read_file(path));
      if (!docs.empty()) {
        const json& cfg = docs[0].tree;
        std::string context = cfg.value("current-context", "");
        const json* ctx = named(member(cfg, "contexts"), context, "context");
        if (ctx) {
          if (const json* cluster =
                  named(member(cfg, "clusters"), ctx->value("cluster", ""), "cluster")) {
            if (server.empty())
              server = cluster->value("server", "");
            if (cluster->contains("certificate-authority-data"))
              c.ca_pem = base64_decode(cluster->value("certificate-authority-data", ""));
            else if (cluster->contains("certificate-authority"))
              c.ca_pem = read_file(cluster->value("certificate-authority", ""));
            c.insecure = cluster->value("insecure-skip-tls-verify", false);
          }
          if (const json* user = named(member(cfg, "users"), ctx->value("user", ""), "user"))
            c.token = user->value("token", "");
          if (ctx->contains("namespace"))
            c.namespace_ = ctx->value("namespace", "default");
        }
      }
    } catch (const std::exception& e) {
      *error = "cannot read kubeconfig " + path + ": " + e.what();
      return std::nullopt;
    }
  }
  if (!o.token.empty())
    c.token = o.token;
  if (!o.namespace_.empty())
    c.namespace_ = o.namespace_;
  c.insecure = c.insecure || o.insecure;
  if (server.empty()) {
    *error = "no server: pass --server or --kubeconfig (or set KUBECONFIG)";
    return std::nullopt;
  }
  const std::string scheme = "https://";
  if (server.rfind(scheme, 0) == 0)
    server = server.substr(scheme.size());
  auto slash = server.find('/');
  if (slash != std::string::npos)
    server = server.substr(0, slash);
  auto colon = server.rfind(':');
  c.host = colon == std::string::npos ? server : server.substr(0, colon);
  c.port = colon == std::string::npos ? "443" : server.substr(colon + 1);
  return c;
}

namespace {

// A TLS stream to the server, verified as `call` does.
struct tls_client {
  net::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;

  explicit tls_client(const connection& c) {
    if (c.insecure) {
      tls.set_verify_mode(ssl::verify_none);
    } else {
      if (!c.ca_pem.empty())
        tls.add_certificate_authority(net::buffer(c.ca_pem));
      else
        tls.set_default_verify_paths();
      tls.set_verify_mode(ssl::verify_peer);
    }
    stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, tls);
    net::ip::tcp::resolver resolver(io);
    beast::get_lowest_layer(*stream).connect(resolver.resolve(c.host, c.port));
    stream->handshake(ssl::stream_base::client);
  }
};

}  // namespace

int stream_lines(const connection& c, const std::string& target, const std::string& accept,
                 const std::function<bool(const std::string&)>& on_line, std::string* error) {
  try {
    tls_client client(c);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, c.host);
    req.set(http::field::user_agent, "capstanctl");
    req.set(http::field::accept, accept);
    if (!c.token.empty())
      req.set(http::field::authorization, "Bearer " + c.token);
    http::write(*client.stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // (boost::none meant 0 here)
    http::read_header(*client.stream, buffer, parser);
    int status = static_cast<int>(parser.get().result_int());
    if (status != 200) {
      http::read(*client.stream, buffer, parser);
      *error = parser.get().body();
      return status;
    }
    std::string pending;
    auto on_chunk = [&](std::uint64_t, boost::string_view body, beast::error_code&) -> std::size_t {
      pending.append(body.data(), body.size());
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!on_line(line))
          throw std::runtime_error("stopped");
      }
      return body.size();
    };
    parser.on_chunk_body(on_chunk);
    while (!parser.is_done())
      http::read_some(*client.stream, buffer, parser);
    return status;
  } catch (const std::exception& e) {
    if (std::string(e.what()) == "stopped")
      return 200;
    *error = std::string("Unable to connect to the server: ") + e.what();
    return 0;
  }
}

http_result call(const connection& c, const std::string& method, const std::string& target,
                 const std::string& body, const std::string& content_type,
                 const std::string& accept) {
  try {
    tls_client client(c);
    auto& stream = *client.stream;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, c.host);
    req.set(http::field::user_agent, "capstanctl");
    req.set(http::field::accept, accept);
    if (!c.token.empty())
      req.set(http::field::authorization, "Bearer " + c.token);
    if (!body.empty()) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ec;
    stream.shutdown(ec);
    return {static_cast<int>(res.result_int()), res.body()};
  } catch (const std::exception& e) {
    return {0, std::string("Unable to connect to the server: ") + e.what()};
  }
}

}  // namespace capstan::ctl
