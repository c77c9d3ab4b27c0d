#include "api/http_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstdio>
#include <deque>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/http_request_reader.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

bool is_mutating(http::verb method) {
  return method != http::verb::get && method != http::verb::head &&
         method != http::verb::options;
}

// Long-running requests (kube-apiserver's: watch, logs -f) are not held to the in-flight limits.
bool is_long_running(const http_request& r) {
  return query_flag(r, "watch") ||
         (r.path.size() > 4 && r.path.compare(r.path.size() - 4, 4, "/log") == 0 &&
          query_flag(r, "follow"));
}

}  // namespace

class http_session : public stream_sink, public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket socket, session_context& context, uint64_t id)
      : executor_(socket.get_executor()), socket_(std::move(socket)), context_(context), id_(id),
        handshake_timer_(executor_) {}

  ~http_session() override {
    release_body_memory();
    context_.connections--;
    context_.closed_connections++;
    std::lock_guard<std::mutex> lock(context_.mutex);
    context_.sessions.erase(id_);
  }

  void start() {
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
      self->stream_->async_handshake(ssl::stream_base::server,
                                     [self](beast::error_code ec) {
                                       if (ec)
                                         return self->close();
                                       self->read_header(self->context_.limits.header_timeout);
                                     });
    });
  }

  // Posted by close_all_sessions.
  void request_close() {
    net::post(executor_, [self = shared_from_this()] { self->close(); });
  }

  // ---- stream_sink ---------------------------------------------------------------------
  bool write(std::string chunk) override {
    std::lock_guard<std::mutex> lock(out_mutex_);
    if (stream_closed_ || finishing_)
      return false;
    const std::size_t backlog = queued_bytes_ + in_flight_bytes_;
    if (backlog > 0 && backlog + chunk.size() > context_.limits.max_stream_backlog) {
      // The client does not keep up: end the stream rather than buffer without bound.
      stream_closed_ = true;
      net::post(executor_, [self = shared_from_this()] { self->close(); });
      return false;
    }
    queued_bytes_ += chunk.size();
    out_.push_back(std::move(chunk));
    schedule_flush_locked();
    return true;
  }

  void finish() override {
    std::lock_guard<std::mutex> lock(out_mutex_);
    if (stream_closed_ || finishing_)
      return;
    finishing_ = true;
    schedule_flush_locked();
  }

  void on_close(std::function<void()> f) override {
    net::dispatch(executor_, [self = shared_from_this(), f = std::move(f)]() mutable {
      if (self->closed_)
        f();
      else
        self->close_callbacks_.push_back(std::move(f));
    });
  }

  net::any_io_executor executor() override { return executor_; }

private:
  void read_header(std::chrono::seconds timeout) {
    parser_.emplace();
    limit_request_parser(*parser_, context_.limits);
    beast::get_lowest_layer(*stream_).expires_after(timeout);
    http::async_read_header(
        *stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::eof || ec == ssl::error::stream_truncated || ec == net::error::operation_aborted)
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
    if (!open &&
        !context_.authorized(std::string_view(authorization.data(), authorization.size())))
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

  void read_body() {
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

  void dispatch_request() {
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
    auto request = std::make_shared<http_request>(to_http_request(beast_request));
    release_body_memory();  // the body now lives in `request`, bounded by the in-flight limits
    beast::get_lowest_layer(*stream_).expires_never();  // the handler's time is its own

    // Every request waits for a handler thread under the in-flight limits, watches and logs -f
    // included (their setup reads the journal); a stream moves to the long-running count once
    // it starts.
    const bool mutating = is_mutating(beast_request.method());
    const bool long_running = !mutating && is_long_running(*request);
    std::atomic<std::size_t>* gate = mutating ? &context_.inflight_mutating : &context_.inflight_reads;
    std::size_t cap = mutating ? context_.limits.max_mutating_requests_inflight
                               : context_.limits.max_requests_inflight;
    if (gate->fetch_add(1) >= cap ||
        (long_running && context_.long_running.load() >= context_.limits.max_long_running)) {
      gate->fetch_sub(1);
      context_.throttled_requests++;
      return refuse(429, "TooManyRequests", "too many requests, please try again later", true);
    }
    auto& pool = mutating ? context_.writers : context_.handlers;
    pool.submit([self = shared_from_this(), request, gate, long_running] {
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
      if (out.stream && long_running)
        self->context_.long_running.fetch_add(1);  // released by close()
      const bool counted = out.stream && long_running;
      self->context_.post(self->executor_, [self, out = std::move(out), counted]() mutable {
        if (counted)
          self->long_running_gate_ = &self->context_.long_running;
        if (self->closed_) {
          if (counted) {
            self->long_running_gate_ = nullptr;
            self->context_.long_running.fetch_sub(1);
          }
          return;
        }
        if (out.stream && !self->head_request_)
          self->start_stream(std::move(out));
        else
          self->write_response(std::move(out));
      });
    });
  }

  http::response<http::string_body> to_beast(http_response& out) {
    http::response<http::string_body> res{static_cast<http::status>(out.status), version_};
    res.set(http::field::server, "capstan");
    res.set(http::field::content_type, out.content_type);
    for (const auto& warning : out.warnings)
      res.insert(http::field::warning,
                 "299 - " + messages::json(warning).dump(-1, ' ', false,
                                                        messages::json::error_handler_t::replace));
    if (out.retry_after_seconds > 0)
      res.set(http::field::retry_after, std::to_string(out.retry_after_seconds));
    res.keep_alive(keep_alive_);
    res.body() = std::move(out.body);
    res.prepare_payload();
    return res;
  }

  void write_response(http_response out) {
    auto full = std::make_shared<http::response<http::string_body>>(to_beast(out));
    if (!head_request_)
      return send(full);
    // HEAD: the headers a GET would have, no body (a body would be read as the next answer).
    auto head = std::make_shared<http::response<http::empty_body>>(full->result(), full->version());
    for (const auto& field : full->base())
      head->set(field.name_string(), field.value());
    head->keep_alive(keep_alive_);
    send(head);
  }

  // Writes a whole response, then waits for the next request or ends the connection.
  template <class Message>
  void send(std::shared_ptr<Message> res) {
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

  // After refusing a request whose rest was left unread: read and drop what the client still
  // sends (at most 4 MiB, 2 s) before closing, or closing with unread data would send a reset
  // that destroys the answer in the client's buffers before it reads it ("lingering close").
  void drain_then_close(std::size_t drained) {
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

  // Answers an error found before any handler ran; the connection closes after it unless
  // `keep` (a 429 leaves the connection usable).
  void refuse(int code, const std::string& reason, const std::string& message,
              bool keep = false) {
    http_response out = status_error(code, reason, message);
    if (code == 429)
      out.retry_after_seconds = 1;
    refuse(std::move(out), keep);
  }
  void refuse(http_response out, bool keep = false) {
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

  // ---- streams ---------------------------------------------------------------------------
  void start_stream(http_response out) {
    auto head = std::make_shared<http::response<http::empty_body>>(http::status::ok, version_);
    head->set(http::field::server, "capstan");
    head->set(http::field::content_type, out.content_type);
    head->chunked(true);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*head);
    streaming_ = true;
    keep_alive_ = false;  // a stream ends the connection (as kube-apiserver's watches do)
    beast::get_lowest_layer(*stream_).expires_after(context_.limits.write_timeout);
    http::async_write_header(
        *stream_, *serializer,
        [self = shared_from_this(), head, serializer, producer = std::move(out.stream)](
            beast::error_code ec, std::size_t) {
          if (ec)
            return self->close();
          beast::get_lowest_layer(*self->stream_).expires_never();
          self->watch_for_hangup();
          std::shared_ptr<stream_sink> sink = self;
          try {
            producer(sink);
          } catch (const std::exception& e) {
            std::fprintf(stderr, "capstan api: a stream failed to start: %s\n", e.what());
            self->close();
          }
        });
  }

  // While a stream runs nothing more is read from the client, except to notice it leave (a
  // closed connection is otherwise seen only at the next write, maybe never on a quiet watch).
  void watch_for_hangup() {
    stream_->async_read_some(net::buffer(hangup_probe_),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec)
                                 return self->close();
                               if (!self->closed_)
                                 self->watch_for_hangup();  // ignore what a client sends
                             });
  }

  // Called with out_mutex_ held: makes sure a flush runs on the strand.
  void schedule_flush_locked() {
    if (flush_scheduled_)
      return;
    flush_scheduled_ = true;
    net::post(executor_, [self = shared_from_this()] { self->flush(); });
  }

  // On the strand: writes the queued chunks, one write at a time.
  void flush() {
    if (writing_ || closed_)
      return;
    std::string next;
    bool last = false;
    {
      std::lock_guard<std::mutex> lock(out_mutex_);
      flush_scheduled_ = false;
      if (!out_.empty()) {
        // Coalesce what is queued into one chunk: one write per round, not one per event.
        for (auto& c : out_)
          next += c;
        out_.clear();
        queued_bytes_ = 0;
      } else if (finishing_) {
        last = true;
      } else {
        return;
      }
    }
    writing_ = true;
    beast::get_lowest_layer(*stream_).expires_after(context_.limits.write_timeout);
    if (last) {
      net::async_write(*stream_, http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code, std::size_t) {
                         self->writing_ = false;
                         self->shutdown();
                       });
      return;
    }
    auto data = std::make_shared<std::string>(std::move(next));
    {
      std::lock_guard<std::mutex> lock(out_mutex_);
      in_flight_bytes_ = data->size();
    }
    net::async_write(*stream_, http::make_chunk(net::buffer(*data)),
                     [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       {
                         std::lock_guard<std::mutex> lock(self->out_mutex_);
                         self->in_flight_bytes_ = 0;
                       }
                       if (ec)
                         return self->close();
                       beast::get_lowest_layer(*self->stream_).expires_never();
                       self->flush();
                     });
  }

  // A clean end: TLS close_notify (bounded by a short timeout), then close.
  void shutdown() {
    if (closed_)
      return;
    // After a stream a read is still pending (watch_for_hangup); a TLS shutdown would be a
    // second reader: just close.
    if (!stream_ || streaming_)
      return close();
    beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(2));
    stream_->async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  // On the strand. Idempotent: ends the stream (running on_close callbacks) and the socket.
  void close() {
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

  void release_body_memory() {
    if (body_reserved_) {
      context_.body_memory.fetch_sub(body_reserved_);
      body_reserved_ = 0;
    }
  }

  net::any_io_executor executor_;                // the connection's strand
  std::optional<tcp::socket> socket_;             // until the client first speaks
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;  // from then on
  session_context& context_;
  const uint64_t id_;
  net::steady_timer handshake_timer_;  // bounds the wait for the first byte
  char hangup_probe_[512];
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_reserved_ = 0;  // of context_.body_memory, held while the body is read
  std::size_t body_limit_ = 0;     // the current request's body limit
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool refused_unread_ = false;  // the answer refuses a request not read whole: drain after  // the current request is a HEAD (answered as GET, without body)
  unsigned version_ = 11;
  bool streaming_ = false;
  bool writing_ = false;
  bool closed_ = false;  // strand only
  std::atomic<std::size_t>* long_running_gate_ = nullptr;  // strand only
  std::vector<std::function<void()>> close_callbacks_;     // strand only

  std::mutex out_mutex_;
  std::deque<std::string> out_;  // guarded by out_mutex_
  std::size_t queued_bytes_ = 0;
  std::size_t in_flight_bytes_ = 0;  // being written now; guarded by out_mutex_
  bool flush_scheduled_ = false;
  bool finishing_ = false;
  bool stream_closed_ = false;
};

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
