// Reading one request off a connection within the server's limits: header and body timeouts,
// the token checked before any body octet, body limits, the server-wide body memory budget,
// and 100-continue. What cannot be read is refused (session_writing.cpp).
#include <memory>
#include <string_view>
#include <variant>

#include "api/detail/http_session_impl.hpp"
#include "api/http_request_reader.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

void http_session::read_header(std::chrono::seconds timeout) {
  parser_.emplace();
  limit_request_parser(*parser_, context_.limits);
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  http::async_read_header(
      *stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void http_session::on_header(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
      ec == ssl::error::stream_truncated || ec == net::error::operation_aborted)
    return close();
  if (ec)
    return refuse(read_error_answer(ec, *parser_, context_.limits.max_header_bytes,
                                    context_.limits.max_body_bytes));
  if (context_.stopping)
    return close();
  auto& req = parser_->get();
  // Without a valid token nothing more is read (no body memory, no 100-continue), except on
  // the public paths, whose bodies are held to a smaller limit.
  auto target = req.target();
  const bool open =
      context_.public_path(request_path(std::string_view(target.data(), target.size())));
  auto authorization = req[http::field::authorization];
  if (!open && !context_.authorized(std::string_view(authorization.data(), authorization.size()),
                                    client_certificate_.get()))
    return refuse(401, "Unauthorized", "Unauthorized");
  auto body_limit = request_body_limit(*parser_, context_.limits, open);
  if (auto* too_large = std::get_if<http_response>(&body_limit))
    return refuse(std::move(*too_large));
  body_limit_ = std::get<std::size_t>(body_limit);
  parser_->body_limit(body_limit_);  // no body octet is parsed yet
  auto length = parser_->content_length();
  // Hold the body's memory against the server-wide budget before reading it.
  body_reserved_ = parser_->is_done() ? 0
                   : length           ? static_cast<std::size_t>(*length)
                                      : body_limit_;
  if (context_.body_memory.fetch_add(body_reserved_) + body_reserved_ >
      context_.limits.max_body_memory) {
    release_body_memory();
    context_.throttled_requests++;
    return refuse(429, "TooManyRequests", "too many requests, please try again later", true);
  }
  if (!parser_->is_done() && beast::iequals(req[http::field::expect], "100-continue")) {
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                   req.version());
    beast::get_lowest_layer(*stream_).expires_after(context_.limits.write_timeout);
    http::async_write(*stream_, *cont,
                      [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
                        if (ec)
                          return self->close();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void http_session::read_body() {
  beast::get_lowest_layer(*stream_).expires_after(context_.limits.body_timeout);
  http::async_read(*stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec == http::error::body_limit)
                       return self->refuse(read_error_answer(
                           ec, *self->parser_, self->context_.limits.max_header_bytes,
                           self->body_limit_));
                     if (ec)
                       return self->close();
                     self->dispatch_request();
                   });
}

void http_session::release_body_memory() {
  if (body_reserved_) {
    context_.body_memory.fetch_sub(body_reserved_);
    body_reserved_ = 0;
  }
}

}  // namespace capstan::api
