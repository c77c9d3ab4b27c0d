// A client connection to another member's port whose every operation must finish within a
// timeout (store/raft_peer_fetch.cpp, store/raft_peer_forward.cpp). Blocks the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "store/raft_peer_wire.hpp"
#include "store/raft_tls_transport.hpp"

namespace capstan::store::detail {

// One connection whose every operation must finish within the timeout: each is started
// asynchronously and the context runs for at most that long.
class timed_connection {
public:
  timed_connection(const raft_tls_config& config, std::chrono::milliseconds timeout)
      : context_(boost::asio::ssl::context::tls), timeout_(timeout) {
    configure_member_tls(context_, config);
    stream_.emplace(io_, context_);
  }

  boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream() { return *stream_; }
  // The bound of the operations from now on.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  // Runs the operation `start` began until it completes; false (the connection closed) when
  // the timeout passed first. `ec` is its outcome.
  bool finish(boost::system::error_code& ec, const bool& done) {
    io_.restart();
    io_.run_for(timeout_);
    if (done)
      return true;
    boost::system::error_code ignored;
    stream_->lowest_layer().close(ignored);
    io_.restart();
    io_.run();  // the cancelled operation completes
    ec = boost::asio::error::timed_out;
    return false;
  }

  // Connects, shakes hands and checks the listener's certificate names member `peer_id`;
  // returns why not (`who` names the member in the message), empty when connected.
  std::string open(const boost::asio::ip::tcp::endpoint& endpoint, uint64_t peer_id,
                   const std::string& who) {
    auto& s = *stream_;
    if (auto ec = run([&](auto handler) { s.lowest_layer().async_connect(endpoint, handler); }))
      return "cannot connect to " + who + ": " + ec.message();
    keep_alive(s.next_layer());
    // A request and its answer are a few small writes each: none waits for the previous one's
    // acknowledgement (Nagle's algorithm against delayed ACKs costs tens of ms a round trip).
    boost::system::error_code ignored;
    s.lowest_layer().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    if (auto ec = run([&](auto handler) {
          s.async_handshake(boost::asio::ssl::stream_base::client, handler);
        }))
      return "no TLS with " + who + ": " + ec.message();
    if (!is_member_certificate(s.native_handle(), peer_id))
      return who + " presents a certificate that is not that member's";
    return "";
  }

  template <typename Start>
  boost::system::error_code run(Start start) {
    boost::system::error_code ec;
    bool done = false;
    start([&](boost::system::error_code e, auto&&...) {
      ec = e;
      done = true;
    });
    finish(ec, done);
    return ec;
  }

private:
  boost::asio::io_context io_;
  boost::asio::ssl::context context_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  std::chrono::milliseconds timeout_;
};

}  // namespace capstan::store::detail
