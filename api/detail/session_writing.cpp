// Writing whole answers on a connection: a handler's response (HEAD: headers only), then the
// next request, a clean end, or a lingering close after a refusal; and refusals of requests
// no handler saw.
#include <memory>
#include <string>

#include "api/detail/beast_response.hpp"
#include "api/detail/http_session_impl.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

void http_session::write_response(http_response out) {
  auto full = std::make_shared<http::response<http::string_body>>(
      detail::beast_response(out, version_, keep_alive_));
  if (!head_request_)
    return send(full);
  // HEAD: the headers a GET would have, no body (a body would be read as the next answer).
  send(std::make_shared<http::response<http::empty_body>>(
      detail::head_response(*full, keep_alive_)));
}

template <class Message>
void http_session::send(std::shared_ptr<Message> res) {
  beast::get_lowest_layer(*stream_).expires_after(context_.limits.write_timeout);
  http::async_write(*stream_, *res,
                    [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                      if (ec || self->context_.stopping)
                        return self->close();
                      if (self->refused_unread_)
                        return self->drain_then_close(0);
                      if (!res->keep_alive())
                        return self->shutdown();
                      self->read_header(self->context_.limits.idle_timeout);
                    });
}

// Reads at most 4 MiB, for 2 s, before closing: closing with unread data would send a reset
// that destroys the answer in the client's buffers before it reads it ("lingering close").
void http_session::drain_then_close(std::size_t drained) {
  if (closed_ || drained > 4 * 1024 * 1024)
    return close();
  if (drained == 0)
    beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(2));
  stream_->async_read_some(net::buffer(hangup_probe_),
                           [self = shared_from_this(), drained](beast::error_code ec,
                                                                std::size_t n) {
                             if (ec)
                               return self->close();
                             self->drain_then_close(drained + n);
                           });
}

void http_session::refuse(int code, const std::string& reason, const std::string& message,
                          bool keep) {
  http_response out = status_error(code, reason, message);
  if (code == 429)
    out.retry_after_seconds = 1;
  refuse(std::move(out), keep);
}

void http_session::refuse(http_response out, bool keep) {
  // The connection stays usable only when no part of the request is left unread (it would
  // be taken for the next request).
  bool body_pending = false;
  head_request_ = false;
  if (parser_ && parser_->is_header_done()) {
    head_request_ = parser_->get().method() == http::verb::head;
    version_ = parser_->get().version();
    keep_alive_ = parser_->get().keep_alive();
    body_pending = !parser_->is_done();
  }
  // A request refused before it was read whole leaves bytes in flight from the client.
  const bool unread = body_pending || !(parser_ && parser_->is_header_done());
  parser_.reset();
  keep_alive_ = keep_alive_ && keep && !unread;
  refused_unread_ = unread;
  write_response(std::move(out));
}

}  // namespace capstan::api
