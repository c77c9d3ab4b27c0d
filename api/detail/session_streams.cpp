// Streamed (chunked) answers on a connection — watches, logs -f: the sink producers write to
// from any thread, its bounded backlog, one coalesced chunk write at a time on the strand, and
// noticing a client that leaves while nothing is written.
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "api/detail/http_session_impl.hpp"

namespace capstan::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

bool http_session::write(std::string chunk) {
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

void http_session::finish() {
  std::lock_guard<std::mutex> lock(out_mutex_);
  if (stream_closed_ || finishing_)
    return;
  finishing_ = true;
  schedule_flush_locked();
}

void http_session::on_close(std::function<void()> f) {
  net::dispatch(executor_, [self = shared_from_this(), f = std::move(f)]() mutable {
    if (self->closed_)
      f();
    else
      self->close_callbacks_.push_back(std::move(f));
  });
}

net::any_io_executor http_session::executor() { return executor_; }

void http_session::start_stream(http_response out) {
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
void http_session::watch_for_hangup() {
  stream_->async_read_some(net::buffer(hangup_probe_),
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec)
                               return self->close();
                             if (!self->closed_)
                               self->watch_for_hangup();  // ignore what a client sends
                           });
}

void http_session::schedule_flush_locked() {
  if (flush_scheduled_)
    return;
  flush_scheduled_ = true;
  net::post(executor_, [self = shared_from_this()] { self->flush(); });
}

void http_session::flush() {
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

}  // namespace capstan::api
