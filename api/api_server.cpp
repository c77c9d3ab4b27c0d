#include "api/api_server.hpp"

#include <iostream>

#include "api/metrics.hpp"
#include "messages/json_codec.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace capstan::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct api_server::impl {
  net::io_context io;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  token_table tokens;
  rest_handler handler;
  api_metrics metrics;
  actors::master& master;
  std::thread accept_thread;
  std::mutex mutex;
  std::set<std::shared_ptr<tcp::socket>> sockets;  // open connections, closed on stop
  std::vector<std::thread> connections;
  bool stopping = false;

  impl(caf::actor_system& system, actors::master& m, token_table t, const std::string& address)
      : tokens(std::move(t)), handler(system, m, address), master(m) {}

  void serve(std::shared_ptr<tcp::socket> socket);
  http::response<http::string_body> respond(const http::request<http::string_body>& request,
                                            http_response& out);
};

std::string json_error_body(const std::string& message);

namespace {

http_response unauthorized() {
  http_response r;
  r.status = 401;
  r.body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})";
  return r;
}

}  // namespace

http::response<http::string_body> api_server::impl::respond(
    const http::request<http::string_body>& request, http_response& out) {
  http_request req;
  req.method = std::string(request.method_string());
  std::string target(request.target());
  auto q = target.find('?');
  req.path = target.substr(0, q);
  // "/version/" names the same resource as "/version" (the Python client asks for the former).
  if (req.path.size() > 1 && req.path.back() == '/')
    req.path.pop_back();
  if (q != std::string::npos)
    req.query = parse_query(target.substr(q + 1));
  req.content_type = std::string(request[http::field::content_type]);
  req.accept = std::string(request[http::field::accept]);
  req.body = request.body();
  std::string auth(request[http::field::authorization]);
  const std::string bearer = "Bearer ";
  std::optional<user_info> user;
  if (auth.rfind(bearer, 0) == 0)
    user = tokens.authenticate(auth.substr(bearer.size()));
  auto started = std::chrono::steady_clock::now();
  if (!user) {
    out = unauthorized();
  } else if (req.path == "/metrics") {
    out.content_type = "text/plain; version=0.0.4";
    out.body = metrics.render(master);
  } else {
    req.user = *user;
    try {
      out = handler.handle(req);
    } catch (const std::exception& e) {
      out.status = 500;
      out.body = json_error_body(e.what());
    }
  }
  if (!out.stream)
    metrics.observe(
        req.method, out.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  else
    metrics.observe("WATCH", out.status, 0);
  http::response<http::string_body> res{static_cast<http::status>(out.status), request.version()};
  res.set(http::field::server, "capstan");
  res.set(http::field::content_type, out.content_type);
  for (const auto& warning : out.warnings)
    res.insert(http::field::warning, "299 - " + nlohmann::json(warning).dump());
  res.keep_alive(request.keep_alive());
  res.body() = out.body;
  res.prepare_payload();
  return res;
}

void api_server::impl::serve(std::shared_ptr<tcp::socket> socket) {
  try {
    beast::ssl_stream<tcp::socket&> stream(*socket, tls);
    stream.handshake(ssl::stream_base::server);
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      http::read(stream, buffer, request);
      http_response out;
      auto res = respond(request, out);
      if (out.stream) {
        // A watch: headers, then one chunk per event until the client or the server leaves.
        http::response<http::empty_body> head{http::status::ok, request.version()};
        head.set(http::field::content_type, "application/json");
        head.set(http::field::server, "capstan");
        head.chunked(true);
        http::response_serializer<http::empty_body> sr{head};
        http::write_header(stream, sr);
        auto write = [&](const std::string& data) {
          beast::error_code ec;
          net::write(stream, http::make_chunk(net::buffer(data)), ec);
          return !ec;
        };
        out.stream(write, stopping);
        beast::error_code ec;
        net::write(stream, http::make_chunk_last(), ec);
        break;
      }
      http::write(stream, res);
      if (!res.keep_alive())
        break;
    }
    beast::error_code ec;
    stream.shutdown(ec);
  } catch (const std::exception&) {
    // The client went away, or spoke no TLS/HTTP: nothing to answer.
  }
  std::lock_guard<std::mutex> lock(mutex);
  sockets.erase(socket);
}

api_server::api_server(caf::actor_system& system, actors::master& master, const tls_material& tls,
                       token_table tokens, const std::string& host, uint16_t port)
    : impl_(std::make_unique<impl>(system, master, std::move(tokens),
                                   host + ":" + std::to_string(port))) {
  auto& i = *impl_;
  i.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  i.tls.use_certificate_chain(net::buffer(tls.cert_pem));
  i.tls.use_private_key(net::buffer(tls.key_pem), ssl::context::pem);
  tcp::endpoint endpoint(net::ip::make_address(host), port);
  i.acceptor.open(endpoint.protocol());
  i.acceptor.set_option(net::socket_base::reuse_address(true));
  boost::system::error_code ec;
  i.acceptor.bind(endpoint, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
  i.acceptor.listen();
  port_ = i.acceptor.local_endpoint().port();
  i.accept_thread = std::thread([&i] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(i.io);
      boost::system::error_code error;
      i.acceptor.accept(*socket, error);
      std::lock_guard<std::mutex> lock(i.mutex);
      if (i.stopping)
        return;
      if (error)
        continue;
      i.sockets.insert(socket);
      i.connections.emplace_back([&i, socket] { i.serve(socket); });
    }
  });
}

api_server::~api_server() {
  auto& i = *impl_;
  {
    std::lock_guard<std::mutex> lock(i.mutex);
    i.stopping = true;
    boost::system::error_code ec;
    i.acceptor.cancel(ec);
    ::shutdown(i.acceptor.native_handle(), SHUT_RDWR);
    for (const auto& s : i.sockets)
      ::shutdown(s->native_handle(), SHUT_RDWR);
  }
  i.accept_thread.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(i.mutex);
    connections.swap(i.connections);
  }
  for (auto& t : connections)
    t.join();
}

std::string json_error_body(const std::string& message) {
  return messages::json({{"kind", "Status"},
                         {"apiVersion", "v1"},
                         {"metadata", messages::json::object()},
                         {"status", "Failure"},
                         {"message", message},
                         {"reason", "InternalError"},
                         {"code", 500}})
      .dump();
}

}  // namespace capstan::api
