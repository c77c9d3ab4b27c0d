// A connection's life: accepted (socket options, registration), the TLS handshake once the
// client speaks, and its end (clean shutdown or close, on_close callbacks, close_all_sessions).
#include "api/http_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstdio>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/post.hpp>

#include "api/detail/http_session_impl.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// The PEM of the certificate the peer of `ssl` presented, or null (none, or no memory).
std::shared_ptr<const std::string> peer_certificate_pem(SSL* ssl) {
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (!peer)
    return nullptr;
  std::shared_ptr<const std::string> pem;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    char* data = nullptr;
    if (PEM_write_bio_X509(bio, peer) == 1) {
      long size = BIO_get_mem_data(bio, &data);
      if (size > 0)
        pem = std::make_shared<const std::string>(data, static_cast<std::size_t>(size));
    }
    BIO_free(bio);
  }
  X509_free(peer);
  return pem;
}

}  // namespace

http_session::http_session(tcp::socket socket, session_context& context, uint64_t id)
    : executor_(socket.get_executor()), socket_(std::move(socket)), context_(context), id_(id),
      handshake_timer_(executor_) {}

http_session::~http_session() {
  release_body_memory();
  context_.connections--;
  context_.closed_connections++;
  std::lock_guard<std::mutex> lock(context_.mutex);
  context_.sessions.erase(id_);
}

void http_session::start() {
  // TLS state (~90 KB with its buffers) is created only once the client sends something:
  // a socket that never speaks costs a descriptor and this object, until the timeout.
  handshake_timer_.expires_after(context_.limits.handshake_timeout);
  handshake_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->stream_)
      self->close();
  });
  socket_->async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_)
      return self->close();
    self->stream_.emplace(beast::tcp_stream(std::move(*self->socket_)), self->context_.tls);
    self->socket_.reset();
    self->handshake_timer_.cancel();
    beast::get_lowest_layer(*self->stream_).expires_after(self->context_.limits.handshake_timeout);
    self->stream_->async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
      if (ec)
        return self->close();
      self->client_certificate_ = peer_certificate_pem(self->stream_->native_handle());
      self->read_header(self->context_.limits.header_timeout);
    });
  });
}

void http_session::request_close() {
  net::post(executor_, [self = shared_from_this()] { self->close(); });
}

void http_session::shutdown() {
  if (closed_)
    return;
  // After a stream a read is still pending (watch_for_hangup); a TLS shutdown would be a
  // second reader: just close.
  if (!stream_ || streaming_)
    return close();
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(2));
  stream_->async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
}

void http_session::close() {
  if (closed_)
    return;
  closed_ = true;
  {
    std::lock_guard<std::mutex> lock(out_mutex_);
    stream_closed_ = true;
    out_.clear();
    queued_bytes_ = 0;
  }
  if (long_running_gate_) {
    long_running_gate_->fetch_sub(1);
    long_running_gate_ = nullptr;
  }
  auto callbacks = std::move(close_callbacks_);
  close_callbacks_.clear();
  for (auto& f : callbacks) {
    try {
      f();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "capstan api: closing a stream failed: %s\n", e.what());
    }
  }
  beast::error_code ec;
  handshake_timer_.cancel();
  if (socket_) {
    socket_->shutdown(tcp::socket::shutdown_both, ec);
    socket_->close(ec);
  }
  if (stream_) {
    beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(*stream_).close();
  }
}

void start_session(tcp::socket socket, session_context& context) {
  if (context.stopping || context.connections.load() >= context.limits.max_connections) {
    context.refused_connections++;
    beast::error_code ec;
    socket.close(ec);
    return;
  }
  // A peer that vanishes without a FIN (a dead machine, a cut cable) is noticed within about
  // two minutes even on a quiet watch.
  beast::error_code ec;
  socket.set_option(net::socket_base::keep_alive(true), ec);
  // Small answers go out at once (Nagle's algorithm met delayed ACKs: ~40 ms per answer).
  socket.set_option(tcp::no_delay(true), ec);
  int idle = 60, interval = 10, count = 6;
  unsigned user_timeout_ms = 120000;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms,
               sizeof user_timeout_ms);
  context.connections++;
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(context.mutex);
    id = context.next_session++;
  }
  auto session = std::make_shared<http_session>(std::move(socket), context, id);
  {
    std::lock_guard<std::mutex> lock(context.mutex);
    context.sessions.emplace(id, session);
  }
  session->start();
}

void close_all_sessions(session_context& context) {
  std::vector<std::shared_ptr<http_session>> open;
  {
    std::lock_guard<std::mutex> lock(context.mutex);
    for (auto& [id, weak] : context.sessions)
      if (auto s = weak.lock())
        open.push_back(std::move(s));
  }
  for (auto& s : open)
    s->request_close();
}

}  // namespace capstan::api
