// The http_session class behind start_session (api/http_session.hpp): one connection's state,
// with its jobs implemented apart: its life from accept to close (api/http_session.cpp),
// reading a request (session_reading.cpp), handing it to a handler (session_dispatch.cpp),
// writing whole answers (session_writing.cpp), streamed answers (session_streams.cpp), and a
// WebSocket (or the raw connection) once a handler accepts an upgrade (session_websocket.cpp).
// Internal to those files.
//
// Threads: the private member functions run on the connection's strand (executor_), except
// schedule_flush_locked; members marked "strand only" are touched nowhere else. request_close
// and the stream_sink members may be called from any thread (the latter under out_mutex_).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "api/http_message.hpp"
#include "api/http_session.hpp"
#include "api/stream_sink.hpp"
#include "api/websocket_channel.hpp"

namespace capstan::api {

class http_session : public stream_sink,
                     public websocket_channel,
                     public std::enable_shared_from_this<http_session> {
public:
  // ---- life (http_session.cpp) -----------------------------------------------------------
  // `socket` is accepted and counted in context.connections; the destructor uncounts it and
  // removes `id` from context.sessions.
  http_session(boost::asio::ip::tcp::socket socket, session_context& context, uint64_t id);
  ~http_session() override;

  // Waits for the client's first byte (at most limits.handshake_timeout), then runs the TLS
  // handshake and reads the first request. Call once, on a shared_ptr.
  void start();
  // Thread-safe: closes the connection on its strand (close_all_sessions).
  void request_close();

  // ---- stream_sink (session_streams.cpp) -------------------------------------------------
  bool write(std::string chunk) override;
  void finish() override;
  void on_close(std::function<void()> f) override;
  boost::asio::any_io_executor executor() override;

  // ---- websocket_channel (session_websocket.cpp; on_close and executor as above) ---------
  bool send(std::string message, std::function<void()> written) override;
  void receive(std::function<void(std::string)> f) override;
  void close_normally() override;

private:
  // ---- reading (session_reading.cpp) -----------------------------------------------------
  // Reads the next request's header within `timeout` (header_timeout first, idle_timeout
  // between keep-alive requests).
  void read_header(std::chrono::seconds timeout);
  // Checks the token and the body limits before any body octet is read, then reads the body.
  void on_header(boost::beast::error_code ec);
  void read_body();
  // Gives body_reserved_ back to context_.body_memory.
  void release_body_memory();

  // ---- dispatch (session_dispatch.cpp) ---------------------------------------------------
  // The parsed request to a handler thread under the in-flight limits; its answer comes back
  // to the strand as a whole response or a stream.
  void dispatch_request();

  // ---- writing (session_writing.cpp) -----------------------------------------------------
  // Writes a handler's answer (for HEAD: its headers only).
  void write_response(http_response out);
  // Writes a whole response, then waits for the next request or ends the connection.
  template <class Message>
  void send(std::shared_ptr<Message> res);
  // After refusing a request whose rest was left unread: reads and drops what the client still
  // sends, then closes.
  void drain_then_close(std::size_t drained);
  // Answers an error found before any handler ran; the connection closes after it unless
  // `keep` (a 429 leaves the connection usable) and the request was read whole.
  void refuse(int code, const std::string& reason, const std::string& message,
              bool keep = false);
  void refuse(http_response out, bool keep = false);

  // ---- streams (session_streams.cpp) -----------------------------------------------------
  // Writes the chunked response's header, then hands the sink to out.stream.
  void start_stream(http_response out);
  void watch_for_hangup();
  // Called with out_mutex_ held: makes sure a flush runs on the strand.
  void schedule_flush_locked();
  // On the strand: writes the queued chunks, one write at a time.
  void flush();

  // ---- WebSocket (session_websocket.cpp) ------------------------------------------------
  // Accepts the upgrade `request` with out.websocket_protocol, then hands the channel to
  // out.websocket.
  void start_websocket(http_response out,
                       std::shared_ptr<boost::beast::http::request<boost::beast::http::empty_body>>
                           request);
  // Accepts another upgrade (a direct SPDY/3.1 port-forward): writes the 101 with
  // out.raw_upgrade and out.stream_protocol, then hands the channel, now carrying raw bytes,
  // to out.websocket. A vanished client is noticed by TCP keep-alive (about a minute).
  void start_raw_upgrade(http_response out);
  // On the strand: writes the queued messages, one write at a time; then the close if asked.
  void flush_websocket();

  // ---- closing (http_session.cpp) --------------------------------------------------------
  // A clean end: TLS close_notify (bounded by a short timeout), then close.
  void shutdown();
  // Idempotent: ends the stream (running on_close callbacks) and the socket.
  void close();

  boost::asio::any_io_executor executor_;                  // the connection's strand
  std::optional<boost::asio::ip::tcp::socket> socket_;     // until the client first speaks
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;  // from then on
  session_context& context_;
  const uint64_t id_;
  boost::asio::steady_timer handshake_timer_;  // bounds the wait for the first byte
  // The PEM of the certificate the client presented in the handshake (it proved it holds the
  // key; nothing else is checked yet), shared by the connection's requests; null without one.
  std::shared_ptr<const std::string> client_certificate_;
  char hangup_probe_[512];
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::size_t body_reserved_ = 0;  // of context_.body_memory, held while the body is read
  std::size_t body_limit_ = 0;     // the current request's body limit
  bool keep_alive_ = true;
  bool head_request_ = false;    // the current request is a HEAD (answered as GET, without body)
  bool refused_unread_ = false;  // the answer refuses a request not read whole: drain after
  unsigned version_ = 11;
  bool streaming_ = false;
  bool writing_ = false;
  bool closed_ = false;                                    // strand only
  std::atomic<std::size_t>* long_running_gate_ = nullptr;  // strand only
  std::vector<std::function<void()>> close_callbacks_;     // strand only

  std::mutex out_mutex_;
  std::deque<std::string> out_;  // guarded by out_mutex_
  std::size_t queued_bytes_ = 0;
  std::size_t in_flight_bytes_ = 0;  // being written now; guarded by out_mutex_
  bool flush_scheduled_ = false;
  bool finishing_ = false;
  bool stream_closed_ = false;

  // The WebSocket over stream_ once upgraded; strand only, like the members below.
  using websocket_stream =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>&>;
  std::optional<websocket_stream> websocket_;
  std::deque<std::pair<std::string, std::function<void()>>> websocket_out_;
  std::size_t websocket_queued_ = 0;
  bool websocket_writing_ = false;
  bool websocket_closing_ = false;  // close_normally was called
  bool raw_upgraded_ = false;       // the channel is the raw connection (start_raw_upgrade)
};

}  // namespace capstan::api
