#include "common/pinned_https.hpp"

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

namespace capstan::common {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string seconds_text(std::chrono::milliseconds d) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return std::to_string(s > 0 ? s : 1) + " s";
}

}  // namespace

https_answer pinned_https_request(const https_target& target, const std::string& method,
                                  const std::string& path, const std::string& json_body,
                                  const std::optional<std::string>& trusted_ca_pem) {
  const std::string where = target.host + ":" + std::to_string(target.port);
  ssl::context tls(ssl::context::tls_client);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (trusted_ca_pem) {
    boost::system::error_code ec;
    tls.add_certificate_authority(net::buffer(*trusted_ca_pem), ec);
    if (ec)
      fail("the master's CA does not load: " + ec.message());
    tls.set_verify_mode(ssl::verify_peer);
  } else {
    tls.set_verify_mode(ssl::verify_none);
  }
  net::io_context io;
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  SSL* ssl_handle = stream.native_handle();
  const bool ip = is_ip_address(target.host);
  if (!ip)
    SSL_set_tlsext_host_name(ssl_handle, target.host.c_str());
  if (trusted_ca_pem) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
    int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, target.host.c_str())
                 : X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), 0);
    if (set != 1)
      fail("cannot verify the host name " + target.host);
  }

  // Runs the asynchronous step started to its end (the stream's timer bounds it), or until
  // the caller abandons the request.
  auto run_io = [&] {
    io.restart();
    while (!io.stopped()) {
      io.run_for(std::chrono::milliseconds(100));
      if (target.abandon && target.abandon->load()) {
        beast::get_lowest_layer(stream).cancel();
        io.run();
        fail("the request to https://" + where + " was abandoned");
      }
    }
  };
  boost::system::error_code result;
  auto run = [&](const char* step, std::chrono::milliseconds bound) {
    run_io();
    if (result)
      fail("cannot " + std::string(step) + " https://" + where + ": " +
           (result == beast::error::timeout ? "timed out after " + seconds_text(bound)
                                            : result.message()));
  };

  tcp::resolver resolver(io);
  boost::system::error_code resolve_error;
  auto endpoints = resolver.resolve(target.host, std::to_string(target.port), resolve_error);
  if (resolve_error)
    fail("cannot resolve " + target.host + ": " + resolve_error.message());
  beast::get_lowest_layer(stream).expires_after(target.step_timeout);
  beast::get_lowest_layer(stream).async_connect(
      endpoints, [&result](boost::system::error_code ec, const tcp::endpoint&) { result = ec; });
  run("connect to", target.step_timeout);

  beast::get_lowest_layer(stream).expires_after(target.step_timeout);
  stream.async_handshake(ssl::stream_base::client,
                         [&result](boost::system::error_code ec) { result = ec; });
  run_io();
  if (result) {
    long verdict = SSL_get_verify_result(ssl_handle);
    if (trusted_ca_pem && verdict != X509_V_OK)
      fail("the master at " + where +
           " is not the one the token names: its certificate does not verify against the CA "
           "whose hash the token carries (" +
           X509_verify_cert_error_string(verdict) + ")");
    fail("cannot open TLS to https://" + where + ": " +
         (result == beast::error::timeout ? "timed out after " + seconds_text(target.step_timeout)
                                          : result.message()));
  }

  http::request<http::string_body> request{method == "POST" ? http::verb::post : http::verb::get,
                                           path, 11};
  request.set(http::field::host, target.host);
  request.set(http::field::user_agent, target.user_agent);
  request.set(http::field::accept, "application/json, application/x-pem-file");
  if (!json_body.empty() || method == "POST") {
    request.set(http::field::content_type, "application/json");
    request.body() = json_body;
  }
  request.keep_alive(false);
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(target.step_timeout);
  http::async_write(stream, request,
                    [&result](boost::system::error_code ec, std::size_t) { result = ec; });
  run("send a request to", target.step_timeout);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(target.max_answer_bytes);
  beast::get_lowest_layer(stream).expires_after(target.answer_timeout);
  http::async_read(stream, buffer, parser,
                   [&result](boost::system::error_code ec, std::size_t) { result = ec; });
  run("read the answer of", target.answer_timeout);
  https_answer answer{parser.get().result_int(), std::move(parser.get().body())};
  // No TLS shutdown: the answer is whole, and a master that does not answer close_notify must
  // not hold the caller for another timeout.
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  return answer;
}

std::string refusal_message(const https_answer& answer) {
  try {
    auto status = nlohmann::json::parse(answer.body);
    if (status.is_object() && status.contains("message") && status["message"].is_string())
      return status["message"].get<std::string>();
  } catch (const std::exception&) {
  }
  return answer.body.substr(0, 200);
}

}  // namespace capstan::common
