// The writing end of a streamed (chunked) HTTP response — a watch, `logs -f` — as the
// connection offers it to whoever produces the stream.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace capstan::api {

// Owned by the connection; producers hold it by shared_ptr. Thread-safe: write and finish may
// be called from any thread; callbacks given to on_close run on executor().
class stream_sink {
public:
  virtual ~stream_sink() = default;
  // Queues one chunk. False once the client is gone, the server stops, or the client is so far
  // behind that the stream was ended: the producer should stop.
  virtual bool write(std::string chunk) = 0;
  // Ends the response cleanly (the last chunk). Later writes are dropped.
  virtual void finish() = 0;
  // Runs `f` once when the stream ends for any reason (finished, client gone, server stopping);
  // at once if it already has. Producers release what they hold (subscriptions, timers) here.
  virtual void on_close(std::function<void()> f) = 0;
  // A serial executor (the connection's strand): handlers posted here never run concurrently
  // with each other or with on_close callbacks.
  virtual boost::asio::any_io_executor executor() = 0;
};

}  // namespace capstan::api
