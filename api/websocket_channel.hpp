// A WebSocket connection (exec, attach) as the connection offers it to whoever speaks on it:
// binary messages both ways, one read at a time, a bounded backlog of writes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

namespace capstan::api {

// Owned by the connection; users hold it by shared_ptr. Every member must be called on
// executor() (the connection's strand), where every callback runs too.
class websocket_channel {
public:
  virtual ~websocket_channel() = default;
  // Queues one binary message; `written`, if set, runs once it is on the wire. False when the
  // channel has closed, or when more than the server's stream backlog waits (the client does
  // not read): the channel is then closed.
  virtual bool send(std::string message, std::function<void()> written = {}) = 0;
  // Reads the client's next message (text or binary) into `f`. At most one read at a time:
  // call again from `f` (or later) for the next; nothing is read meanwhile.
  virtual void receive(std::function<void(std::string)> f) = 0;
  // Closes normally once the queued messages are written.
  virtual void close_normally() = 0;
  // Runs `f` once when the channel ends for any reason; at once if it has.
  virtual void on_close(std::function<void()> f) = 0;
  virtual boost::asio::any_io_executor executor() = 0;
};

}  // namespace capstan::api
