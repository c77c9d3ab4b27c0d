// One client connection of the API server: TLS, HTTP/1.1 keep-alive, the limits of
// server_limits.hpp, and streamed responses. Everything a connection does is asynchronous on
// its strand; request handlers run on the handler pool.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include "api/handler_pool.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"
#include "api/server_limits.hpp"

namespace capstan::api {

class http_session;

// What every connection shares. Counters are atomics; `sessions` is guarded by `mutex`.
struct session_context {
  session_context(server_limits l, boost::asio::ssl::context& t, handler_pool& h,
                  handler_pool& w, std::function<http_response(http_request&)> r,
                  std::function<bool(std::string_view, const std::string*)> a,
                  std::function<bool(std::string_view)> p,
                  std::shared_ptr<io_gate> g)
      : limits(l), tls(t), handlers(h), writers(w), respond(std::move(r)),
        authorized(std::move(a)), public_path(std::move(p)), gate(std::move(g)) {}

  const server_limits limits;
  boost::asio::ssl::context& tls;
  handler_pool& handlers;  // reads
  handler_pool& writers;   // writes
  // Answers one parsed request (authentication included); runs on a handler thread.
  const std::function<http_response(http_request&)> respond;
  // Whether an Authorization header carries a valid token, or the connection's client
  // certificate (its PEM; null for none) proves a user (checked before a body is read).
  const std::function<bool(std::string_view, const std::string*)> authorized;
  // Whether a request path (no query, no trailing slash) is answered without a token; its body
  // is then held to limits.max_public_body_bytes.
  const std::function<bool(std::string_view)> public_path;
  // Posts from handler threads into the io_context only while it lives.
  const std::shared_ptr<io_gate> gate;
  template <class Executor, class F>
  void post(const Executor& executor, F&& f) {
    gate->post(executor, std::forward<F>(f));
  }

  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> inflight_reads{0};
  std::atomic<std::size_t> inflight_mutating{0};
  std::atomic<std::size_t> long_running{0};
  std::atomic<std::size_t> body_memory{0};
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> closed_connections{0};
  std::atomic<uint64_t> throttled_requests{0};
  std::atomic<bool> stopping{false};

  std::mutex mutex;
  std::unordered_map<uint64_t, std::weak_ptr<http_session>> sessions;
  uint64_t next_session = 1;
};

// Starts serving an accepted connection; it keeps itself alive until it closes.
void start_session(boost::asio::ip::tcp::socket socket, session_context& context);

// Asks every open connection to close (streams end, their on_close callbacks run).
void close_all_sessions(session_context& context);

}  // namespace capstan::api
