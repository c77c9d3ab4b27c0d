#include "store/raft_peer_fetch.hpp"

#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "store/raft_peer_wire.hpp"

namespace capstan::store {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t max_chunk_bytes = 64u << 20;

// One connection whose every operation must finish within the timeout: each is started
// asynchronously and the context runs for at most that long.
class timed_connection {
public:
  timed_connection(const raft_tls_config& config, std::chrono::milliseconds timeout)
      : context_(ssl::context::tls), timeout_(timeout) {
    configure_member_tls(context_, config);
    stream_.emplace(io_, context_);
  }

  ssl::stream<tcp::socket>& stream() { return *stream_; }

  // Runs the operation `start` began until it completes; false (the connection closed) when
  // the timeout passed first. `ec` is its outcome.
  bool finish(error_code& ec, const bool& done) {
    io_.restart();
    io_.run_for(timeout_);
    if (done)
      return true;
    error_code ignored;
    stream_->lowest_layer().close(ignored);
    io_.restart();
    io_.run();  // the cancelled operation completes
    ec = net::error::timed_out;
    return false;
  }

  template <typename Start>
  error_code run(Start start) {
    error_code ec;
    bool done = false;
    start([&](error_code e, auto&&...) {
      ec = e;
      done = true;
    });
    finish(ec, done);
    return ec;
  }

private:
  net::io_context io_;
  ssl::context context_;
  std::optional<ssl::stream<tcp::socket>> stream_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::string fetch_from_member(const raft_tls_config& tls, const peer_fetch_request& request,
                              const std::function<std::string(std::string_view)>& take,
                              std::chrono::milliseconds idle_timeout) {
  auto endpoint = parse_endpoint(request.peer_address);
  if (!endpoint)
    return "the member address \"" + request.peer_address + "\" is no IP:PORT";
  const std::string who = "member " + std::to_string(request.peer_id) + " at " +
                          request.peer_address;
  try {
    timed_connection c(tls, idle_timeout);
    auto& stream = c.stream();
    if (auto ec = c.run([&](auto handler) { stream.lowest_layer().async_connect(*endpoint, handler); }))
      return "cannot connect to " + who + ": " + ec.message();
    keep_alive(stream.next_layer());
    if (auto ec = c.run([&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); }))
      return "no TLS with " + who + ": " + ec.message();
    if (!is_member_certificate(stream.native_handle(), request.peer_id))
      return who + " presents a certificate that is not that member's";
    std::string preamble = encode_fetch_preamble(request.own_id, request.from, request.to);
    if (auto ec = c.run([&](auto handler) { net::async_write(stream, net::buffer(preamble), handler); }))
      return "cannot ask " + who + ": " + ec.message();
    std::string chunk;
    for (;;) {
      unsigned char length_bytes[4];
      if (auto ec = c.run([&](auto handler) {
            net::async_read(stream, net::buffer(length_bytes), handler);
          }))
        return who + " ended the transfer early (it may lack the records, or be busy): " +
               ec.message();
      std::size_t length = 0;
      for (int i = 3; i >= 0; --i)
        length = (length << 8) | length_bytes[i];
      if (length == 0)
        return "";
      if (length > max_chunk_bytes)
        return who + " sent a chunk of " + std::to_string(length) + " bytes, over the bound";
      chunk.resize(length);
      if (auto ec = c.run([&](auto handler) { net::async_read(stream, net::buffer(chunk), handler); }))
        return who + " ended the transfer inside a chunk: " + ec.message();
      if (std::string refused = take(chunk); !refused.empty())
        return "a chunk from " + who + " is refused: " + refused;
    }
  } catch (const std::exception& e) {
    return "cannot fetch from " + who + ": " + e.what();
  }
}

}  // namespace capstan::store
