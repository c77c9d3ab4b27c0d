#include "api/api_server.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <cctype>
#include <condition_variable>
#include <optional>
#include <set>
#include <cstdio>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <openssl/pem.h>

#include "api/access_reviews.hpp"
#include "api/client_certificate_auth.hpp"
#include "api/console_assets.hpp"
#include "api/forbidden.hpp"
#include "api/handler_pool.hpp"
#include "api/http_session.hpp"
#include "api/impersonation.hpp"
#include "api/io_gate.hpp"
#include "api/metrics.hpp"
#include "api/read_model_node_graph.hpp"
#include "api/request_attributes.hpp"
#include "api/service_account_auth.hpp"
#include "store/moment_cache.hpp"
#include "api/responses.hpp"
#include "api/watch_hub.hpp"
#include "auth/request_authorizer.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

// The token of an `Authorization: Bearer TOKEN` header; the scheme's case does not matter
// (RFC 7235), as in Kubernetes.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size())
    return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return std::nullopt;
  return authorization.substr(scheme.size());
}


// Raises the soft limit on open files to the hard one and returns how many connections that
// leaves room for (some descriptors stay for the journal, CAF and the node agents).
std::size_t connection_capacity(std::size_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return wanted;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  const std::size_t reserve = 1024;
  std::size_t usable = lim.rlim_cur > reserve * 2 ? lim.rlim_cur - reserve : lim.rlim_cur / 2;
  return std::min(wanted, usable);
}

// Clients may present a certificate (a node's, from the client CA, named in the request so
// that Go's TLS picks it): the handshake proves the key, authenticate() checks the rest, so a
// certificate that does not verify is as good as none (then a token may still authenticate).
// Sessions resume (tickets only) with the certificate they proved; a chain is held to 16 KiB.
void request_client_certificates(SSL_CTX* context, const std::string& client_ca_pem) {
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  static const unsigned char session_context[] = "capstan-api";
  SSL_CTX_set_session_id_context(context, session_context, sizeof session_context - 1);
  SSL_CTX_set_max_cert_list(context, 16 * 1024);
  // No server-side session cache: each cached TLS 1.2 session would keep the chain its client
  // sent (up to the 16 KiB above, unverified) for minutes — memory any client could pile up.
  // Sessions resume through tickets, which the client keeps.
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  BIO* bio = BIO_new_mem_buf(client_ca_pem.data(), static_cast<int>(client_ca_pem.size()));
  X509* ca = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  if (bio)
    BIO_free(bio);
  if (!ca)
    throw std::runtime_error("the client CA does not parse");
  SSL_CTX_add_client_CA(context, ca);  // copies the name
  X509_free(ca);
}

http_response unauthorized() {
  return status_error(401, "Unauthorized", "Unauthorized");
}

}  // namespace

struct api_server::impl {
  server_limits limits;
  std::optional<net::io_context> io;
  ssl::context tls{ssl::context::tls_server};
  std::optional<tcp::acceptor> acceptor;
  token_table tokens;
  node_bootstrap bootstrap;
  common::client_certificate_verifier client_certificates;  // of bootstrap's client CA
  actors::master& master;
  api_metrics metrics;
  std::shared_ptr<io_gate> gate;  // closed before `io` is destroyed
  std::unique_ptr<watch_hub> watches;
  std::unique_ptr<rest_handler> handler;
  std::unique_ptr<handler_pool> handlers;  // reads
  std::unique_ptr<handler_pool> writers;   // writes
  std::unique_ptr<session_context> sessions;
  std::vector<std::thread> io_threads;
  std::optional<net::steady_timer> trim_timer;
  uint64_t closed_at_last_trim = 0;

  // The user a request proves, in Kubernetes' order: the connection's client certificate (a
  // node's), else the Authorization header's bearer token (of DATA/tokens.csv or of a service
  // account). `client_certificate` may be null.
  std::optional<user_info> authenticate(std::string_view authorization,
                                        const std::string* client_certificate) const {
    if (client_certificate)
      if (auto user = authenticate_client_certificate(master.model(), client_certificates,
                                                      *client_certificate))
        return user;
    auto token = bearer_token(authorization);
    if (!token)
      return std::nullopt;
    std::string text(*token);
    if (auto user = tokens.authenticate(text))
      return user;
    return authenticate_service_account(master.model(), master.service_account_key(), text);
  }

  impl(actors::master& m, token_table t, node_bootstrap b, server_limits l)
      : limits(l), tokens(std::move(t)), bootstrap(std::move(b)),
        client_certificates(bootstrap.client_ca_pem()), master(m) {
    io.emplace(static_cast<int>(limits.io_threads));
    acceptor.emplace(*io);
  }

  // On a handler thread: authentication, authorization, then the REST handler; never throws.
  http_response respond(http_request& req);
  void accept();
  // Every 10 s, after many connections have closed, gives the freed connection buffers back
  // to the system (glibc keeps small freed blocks otherwise), so RSS follows the clients. Only
  // glibc's malloc needs it (sanitizer builds, CAPSTAN_ALLOCATOR=system); jemalloc gives freed
  // memory back by itself (tools/allocator.cpp), and glibc's malloc_trim then finds nothing.
  void trim_memory_later();
};

void api_server::impl::trim_memory_later() {
  trim_timer->expires_after(std::chrono::seconds(10));
  trim_timer->async_wait([this](const boost::system::error_code& ec) {
    if (ec)
      return;
    uint64_t closed = sessions->closed_connections.load();
    if (closed - closed_at_last_trim >= 256) {
      closed_at_last_trim = closed;
      handlers->submit([] { malloc_trim(0); });  // may take a while: not on an io thread
    }
    trim_memory_later();
  });
}

http_response api_server::impl::respond(http_request& req) {
  std::optional<user_info> user = authenticate(req.authorization, req.client_certificate.get());
  auto started = std::chrono::steady_clock::now();
  http_response out;
  // Authorization, for every request but the bootstrap doors: the Node authorizer, then RBAC
  // with the policy of the last committed RBAC change, on what it asks.
  auth::request_attributes asked;
  const read_model_node_graph graph(master.model());
  const auth::request_authorizer authorizer(master.model().policy(), graph);
  auth::authorization_decision decision;
  std::optional<http_response> impersonation_refused;
  if (user) {
    req.user = *user;
    // kubectl --as: the request acts as the impersonated identity, if the caller may.
    if (req.impersonation.any()) {
      auto as = impersonate(*user, req.impersonation, authorizer);
      if (auto* refusal = std::get_if<http_response>(&as))
        impersonation_refused = std::move(*refusal);
      else
        req.user = std::get<auth::user_identity>(std::move(as));
    }
    asked = describe_request(req);
    asked.user = req.user;
  }
  if (node_bootstrap::is_public_path(req.path)) {
    out = bootstrap.handle(req, master.model());
  } else if (is_console_path(req.path)) {
    out = console_asset(req);
  } else if (!user) {
    out = unauthorized();
  } else if (impersonation_refused) {
    out = std::move(*impersonation_refused);
  } else if (!(decision = authorizer.authorize(asked)).allowed) {
    out = forbidden(asked, decision.reason);
  } else if (auto review = answer_access_review(req, authorizer)) {
    out = std::move(*review);
  } else if (req.path == "/metrics") {
    out.content_type = "text/plain; version=0.0.4";
    out.body = metrics.render(master);
    auto s = sessions.get();
    out.body += "# HELP capstan_apiserver_connections Open API connections.\n"
                "# TYPE capstan_apiserver_connections gauge\n"
                "capstan_apiserver_connections " + std::to_string(s->connections.load()) + "\n" +
                "# HELP capstan_apiserver_current_inflight_requests Requests being handled.\n"
                "# TYPE capstan_apiserver_current_inflight_requests gauge\n"
                "capstan_apiserver_current_inflight_requests{request_kind=\"readOnly\"} " +
                std::to_string(s->inflight_reads.load()) + "\n" +
                "capstan_apiserver_current_inflight_requests{request_kind=\"mutating\"} " +
                std::to_string(s->inflight_mutating.load()) + "\n" +
                "# HELP capstan_apiserver_longrunning_requests Open watches and log streams.\n"
                "# TYPE capstan_apiserver_longrunning_requests gauge\n"
                "capstan_apiserver_longrunning_requests " + std::to_string(s->long_running.load()) +
                "\n" +
                "# HELP capstan_apiserver_throttled_requests_total Requests answered 429.\n"
                "# TYPE capstan_apiserver_throttled_requests_total counter\n"
                "capstan_apiserver_throttled_requests_total " +
                std::to_string(s->throttled_requests.load()) + "\n" +
                "# HELP capstan_apiserver_refused_connections_total Connections closed at once "
                "(over the connection limit).\n"
                "# TYPE capstan_apiserver_refused_connections_total counter\n"
                "capstan_apiserver_refused_connections_total " +
                std::to_string(s->refused_connections.load()) + "\n";
  } else {
    try {
      out = handler->handle(req);
    } catch (const store::moments_busy& e) {
      out = status_error(429, "TooManyRequests", e.what());
      out.retry_after_seconds = 2;
    } catch (const std::exception& e) {
      out = status_error(500, "InternalError", std::string("internal error: ") + e.what());
    }
  }
  // Verbs as a closed set: a client cannot grow the metrics with methods of its own invention.
  static const std::set<std::string> verbs = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                              "OPTIONS"};
  metrics.observe(out.stream ? "WATCH" : verbs.count(req.method) ? req.method : "OTHER", out.status,
                  out.stream ? 0
                             : std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                             started)
                                   .count());
  return out;
}

void api_server::impl::accept() {
  acceptor->async_accept(net::make_strand(*io), [this](boost::system::error_code ec,
                                                       tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open())
      return;
    if (!ec)
      start_session(std::move(socket), *sessions);
    else if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space) {
      // Out of descriptors: wait a little rather than spin.
      auto timer = std::make_shared<net::steady_timer>(*io, std::chrono::milliseconds(50));
      timer->async_wait([this, timer](const boost::system::error_code&) { accept(); });
      return;
    }
    accept();
  });
}

api_server::api_server(caf::actor_system& system, actors::master& master, const tls_material& tls,
                       token_table tokens, node_bootstrap bootstrap, const std::string& host,
                       uint16_t port, server_limits limits)
    : impl_(std::make_unique<impl>(master, std::move(tokens), std::move(bootstrap), limits)) {
  auto& i = *impl_;
  i.limits.max_connections = connection_capacity(i.limits.max_connections);
  i.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // Idle connections keep no TLS buffers.
  SSL_CTX_set_mode(i.tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  // A client may not make the server redo handshakes on an open connection.
  SSL_CTX_set_options(i.tls.native_handle(), SSL_OP_NO_RENEGOTIATION);
  i.tls.use_certificate_chain(net::buffer(tls.cert_pem));
  i.tls.use_private_key(net::buffer(tls.key_pem), ssl::context::pem);
  request_client_certificates(i.tls.native_handle(), i.bootstrap.client_ca_pem());
  tcp::endpoint endpoint(net::ip::make_address(host), port);
  i.acceptor->open(endpoint.protocol());
  i.acceptor->set_option(net::socket_base::reuse_address(true));
  boost::system::error_code ec;
  i.acceptor->bind(endpoint, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
  i.acceptor->listen(net::socket_base::max_listen_connections);
  port_ = i.acceptor->local_endpoint().port();

  i.gate = std::make_shared<io_gate>();
  i.watches = std::make_unique<watch_hub>(master, *i.io);
  i.handler = std::make_unique<rest_handler>(system, master, *i.watches, i.gate,
                                             host + ":" + std::to_string(port_));
  i.handlers = std::make_unique<handler_pool>(i.limits.handler_threads);
  i.writers = std::make_unique<handler_pool>(i.limits.write_threads);
  i.sessions = std::make_unique<session_context>(
      i.limits, i.tls, *i.handlers, *i.writers, [&i](http_request& r) { return i.respond(r); },
      [&i](std::string_view authorization, const std::string* client_certificate) {
        return i.authenticate(authorization, client_certificate).has_value();
      },
      [](std::string_view path) {
        return node_bootstrap::is_public_path(path) || is_console_path(path);
      },
      i.gate);
  i.accept();
  i.trim_timer.emplace(*i.io);
  i.trim_memory_later();
  for (std::size_t t = 0; t < std::max<std::size_t>(i.limits.io_threads, 1); ++t)
    i.io_threads.emplace_back([&i] {
      for (;;) {
        try {
          i.io->run();
          return;
        } catch (const std::exception& e) {
          // A handler that throws must not take the server down: report and go on.
          std::fprintf(stderr, "capstan api: %s\n", e.what());
        }
      }
    });
}

api_server::~api_server() {
  auto& i = *impl_;
  i.sessions->stopping = true;
  net::post(*i.io, [&i] {
    boost::system::error_code ec;
    i.acceptor->close(ec);
    i.trim_timer->cancel();
  });
  close_all_sessions(*i.sessions);
  // Let the connections end their streams and close (bounded: a client cannot hold this).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (i.sessions->connections.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  i.handlers.reset();  // runs what is queued (their answers go to closed connections)
  i.writers.reset();
  i.io->stop();
  for (auto& t : i.io_threads)
    t.join();
  i.gate->close();       // nothing posts into the io_context any more (handlers, CAF replies)
  i.watches->detach();   // no more fan-out into the io_context
  i.acceptor.reset();
  i.trim_timer.reset();
  i.io.reset();          // destroys what was still queued (and the connections it held)
  i.watches.reset();
}

server_stats api_server::stats() const {
  const auto& s = *impl_->sessions;
  server_stats out;
  out.connections = s.connections;
  out.inflight_reads = s.inflight_reads;
  out.inflight_mutating = s.inflight_mutating;
  out.long_running = s.long_running;
  out.watchers = impl_->watches->watchers();
  out.refused_connections = s.refused_connections;
  out.throttled_requests = s.throttled_requests;
  return out;
}

}  // namespace capstan::api
