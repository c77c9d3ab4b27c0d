// A connection after a handler accepted a WebSocket upgrade (exec, attach, port-forward): the
// handshake with the chosen subprotocol, then binary messages both ways for the handler's
// channel, under the same bounds as a stream (the backlog limit) and with pings that notice a
// vanished client. Or, after another upgrade (a direct SPDY/3.1 port-forward), the 101 and the
// connection's raw bytes both ways under the same backlog limit, TCP keep-alive noticing a
// vanished client.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "api/detail/http_session_impl.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

// The largest message a client may send (kubectl sends stdin in pieces of at most 32 KiB).
constexpr std::size_t max_client_message = 1024 * 1024;

// The most a raw upgraded connection hands over at once.
constexpr std::size_t raw_read_size = 64 * 1024;

// Probes an idle raw connection after 30 s, every 10 s, and gives up after 3 unanswered.
void keep_alive(int fd) {
  int on = 1, idle = 30, interval = 10, count = 3;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

}  // namespace

void http_session::start_websocket(http_response out,
                                   std::shared_ptr<http::request<http::empty_body>> request) {
  streaming_ = true;
  keep_alive_ = false;
  beast::get_lowest_layer(*stream_).expires_never();  // the WebSocket's own timeouts govern
  websocket_.emplace(*stream_);
  websocket_->binary(true);
  websocket_->read_message_max(max_client_message);
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = context_.limits.write_timeout;
  timeouts.idle_timeout = std::chrono::seconds(60);  // a ping after 30 s quiet; no pong: closed
  timeouts.keep_alive_pings = true;
  websocket_->set_option(timeouts);
  websocket_->set_option(websocket::stream_base::decorator(
      [protocol = out.websocket_protocol](websocket::response_type& res) {
        res.set(http::field::server, "capstan");
        res.set(http::field::sec_websocket_protocol, protocol);
      }));
  websocket_->async_accept(
      *request, [self = shared_from_this(), request, handler = std::move(out.websocket)](
                    beast::error_code ec) {
        if (ec || self->closed_)
          return self->close();
        std::shared_ptr<websocket_channel> channel = self;
        try {
          handler(channel);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "capstan api: a WebSocket failed to start: %s\n", e.what());
          self->close();
        }
      });
}

void http_session::start_raw_upgrade(http_response out) {
  streaming_ = true;
  keep_alive_ = false;
  auto& tcp = beast::get_lowest_layer(*stream_);
  keep_alive(tcp.socket().native_handle());
  tcp.expires_after(context_.limits.write_timeout);  // for the 101
  auto head = std::make_shared<std::string>(
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + out.raw_upgrade +
      "\r\nX-Stream-Protocol-Version: " + out.stream_protocol + "\r\nServer: capstan\r\n\r\n");
  net::async_write(*stream_, net::buffer(*head),
                   [self = shared_from_this(), head, handler = std::move(out.websocket)](
                       beast::error_code ec, std::size_t) {
                     if (ec || self->closed_)
                       return self->close();
                     beast::get_lowest_layer(*self->stream_).expires_never();
                     self->raw_upgraded_ = true;
                     std::shared_ptr<websocket_channel> channel = self;
                     try {
                       handler(channel);
                     } catch (const std::exception& e) {
                       std::fprintf(stderr, "capstan api: an upgrade failed to start: %s\n",
                                    e.what());
                       self->close();
                     }
                   });
}

bool http_session::send(std::string message, std::function<void()> written) {
  if (closed_ || websocket_closing_ || (!websocket_ && !raw_upgraded_))
    return false;
  if (websocket_queued_ > 0 &&
      websocket_queued_ + message.size() > context_.limits.max_stream_backlog) {
    close();  // the client does not read: end rather than buffer without bound
    return false;
  }
  websocket_queued_ += message.size();
  websocket_out_.emplace_back(std::move(message), std::move(written));
  flush_websocket();
  return true;
}

void http_session::receive(std::function<void(std::string)> f) {
  if (closed_ || (!websocket_ && !raw_upgraded_))
    return;
  if (raw_upgraded_) {
    if (buffer_.size() > 0) {  // what the client sent right after its request
      std::string early = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      net::post(executor_, [self = shared_from_this(), early = std::move(early), f = std::move(f)] {
        if (!self->closed_)
          f(early);
      });
      return;
    }
    auto bytes = std::make_shared<std::string>(raw_read_size, '\0');
    stream_->async_read_some(net::buffer(*bytes), [self = shared_from_this(), bytes,
                                                   f = std::move(f)](beast::error_code ec,
                                                                     std::size_t n) {
      if (ec)
        return self->close();
      if (self->closed_)
        return;
      bytes->resize(n);
      f(std::move(*bytes));
    });
    return;
  }
  auto buffer = std::make_shared<beast::flat_buffer>();
  websocket_->async_read(*buffer, [self = shared_from_this(), buffer, f = std::move(f)](
                                      beast::error_code ec, std::size_t) {
    if (ec)
      return self->close();
    if (self->closed_)
      return;
    f(beast::buffers_to_string(buffer->data()));
  });
}

void http_session::close_normally() {
  if (closed_ || websocket_closing_ || (!websocket_ && !raw_upgraded_))
    return;
  websocket_closing_ = true;
  flush_websocket();
}

void http_session::flush_websocket() {
  if (websocket_writing_ || closed_)
    return;
  if (websocket_out_.empty()) {
    if (!websocket_closing_)
      return;
    websocket_writing_ = true;
    if (raw_upgraded_)
      return close();  // a read is pending: no TLS shutdown (a second reader)
    websocket_->async_close(websocket::close_code::normal,
                            [self = shared_from_this()](beast::error_code) { self->close(); });
    return;
  }
  websocket_writing_ = true;
  auto data = std::make_shared<std::string>(std::move(websocket_out_.front().first));
  auto written = std::move(websocket_out_.front().second);
  websocket_out_.pop_front();
  auto done = [self = shared_from_this(), data, written = std::move(written)](
                  beast::error_code ec, std::size_t) {
        self->websocket_writing_ = false;
        self->websocket_queued_ -= data->size();
        if (ec)
          return self->close();
        if (written)
          written();
        self->flush_websocket();
      };
  if (raw_upgraded_)
    net::async_write(*stream_, net::buffer(*data), std::move(done));
  else
    websocket_->async_write(net::buffer(*data), std::move(done));
}

}  // namespace capstan::api
