// Handing a read request to a handler: HEAD answered as GET, the in-flight limits (429 over
// them), the read or write pool, and the answer posted back to the connection's strand as a
// whole response or a stream (a long-running one counted until the connection closes).
#include <atomic>
#include <exception>
#include <memory>
#include <string>

#include "api/detail/http_session_impl.hpp"
#include "api/detail/request_classes.hpp"
#include "api/http_request_reader.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;

void http_session::dispatch_request() {
  if (context_.stopping)
    return close();  // the handler pools may already be gone
  auto beast_request = parser_->release();
  parser_.reset();
  refused_unread_ = false;
  head_request_ = beast_request.method() == http::verb::head;
  if (head_request_)
    beast_request.method(http::verb::get);
  keep_alive_ = beast_request.keep_alive();
  version_ = beast_request.version();
  // An upgrade keeps its header for the WebSocket handshake, should the handler accept it.
  std::shared_ptr<http::request<http::empty_body>> upgrade;
  if (beast::websocket::is_upgrade(beast_request))
    upgrade = std::make_shared<http::request<http::empty_body>>(
        http::request_header<>(beast_request.base()));
  auto request = std::make_shared<http_request>(to_http_request(beast_request));
  request->client_certificate = client_certificate_;
  release_body_memory();  // the body now lives in `request`, bounded by the in-flight limits
  beast::get_lowest_layer(*stream_).expires_never();  // the handler's time is its own

  // Every request waits for a handler thread under the in-flight limits, watches and logs -f
  // included (their setup reads the journal); a stream moves to the long-running count once
  // it starts.
  const bool mutating = detail::is_mutating(beast_request.method());
  // exec, attach and portforward take POST too (a direct SPDY upgrade is a POST).
  const bool long_running =
      (!mutating || !request->upgrade.empty()) && detail::is_long_running(*request);
  std::atomic<std::size_t>* gate =
      mutating ? &context_.inflight_mutating : &context_.inflight_reads;
  std::size_t cap = mutating ? context_.limits.max_mutating_requests_inflight
                             : context_.limits.max_requests_inflight;
  if (gate->fetch_add(1) >= cap ||
      (long_running && context_.long_running.load() >= context_.limits.max_long_running)) {
    gate->fetch_sub(1);
    context_.throttled_requests++;
    return refuse(429, "TooManyRequests", "too many requests, please try again later", true);
  }
  auto& pool = mutating ? context_.writers : context_.handlers;
  const bool head = head_request_;
  pool.submit([self = shared_from_this(), request, gate, long_running, upgrade, head] {
    // Whatever happens, the gate is released and an answer goes back to the connection.
    struct gate_release {
      std::atomic<std::size_t>* gate;
      ~gate_release() { gate->fetch_sub(1); }
    } release{gate};
    http_response out;
    try {
      if (self->context_.stopping)
        out = status_error(503, "ServiceUnavailable", "the server is shutting down");
      else
        out = self->context_.respond(*request);
    } catch (const std::exception& e) {
      out = status_error(500, "InternalError", std::string("internal error: ") + e.what());
    } catch (...) {
      out = status_error(500, "InternalError", "internal error");
    }
    if (out.websocket && !upgrade && (out.raw_upgrade.empty() || request->upgrade.empty())) {
      out = status_error(400, "BadRequest",
                         "this subresource is served over WebSocket only (Upgrade: websocket)");
    }
    // A HEAD is answered with the headers alone: no stream starts, nothing long-running.
    const bool stream = (out.stream && !head) || out.websocket;
    if (stream && long_running)
      self->context_.long_running.fetch_add(1);  // released by close()
    const bool counted = stream && long_running;
    self->context_.post(self->executor_, [self, out = std::move(out), counted,
                                          upgrade]() mutable {
      if (counted)
        self->long_running_gate_ = &self->context_.long_running;
      if (self->closed_) {
        if (counted) {
          self->long_running_gate_ = nullptr;
          self->context_.long_running.fetch_sub(1);
        }
        return;
      }
      if (out.websocket && !out.raw_upgrade.empty())
        self->start_raw_upgrade(std::move(out));
      else if (out.websocket)
        self->start_websocket(std::move(out), upgrade);
      else if (out.stream && !self->head_request_)
        self->start_stream(std::move(out));
      else
        self->write_response(std::move(out));
    });
  });
}

}  // namespace capstan::api
