#include "store/raft_peer_fetch.hpp"

#include <optional>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "store/detail/timed_connection.hpp"
#include "store/raft_peer_wire.hpp"

namespace capstan::store {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t max_chunk_bytes = 64u << 20;

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
    detail::timed_connection c(tls, idle_timeout);
    auto& stream = c.stream();
    if (std::string failed = c.open(*endpoint, request.peer_id, who); !failed.empty())
      return failed;
    std::string preamble = encode_fetch_preamble(request.own_id, request.from, request.to);
    if (auto ec = c.run([&](auto handler) { net::async_write(stream, net::buffer(preamble), handler); }))
      return "cannot ask " + who + ": " + ec.message();
    std::string chunk;
    for (;;) {
      unsigned char length_bytes[forward_length_bytes];
      if (auto ec = c.run([&](auto handler) {
            net::async_read(stream, net::buffer(length_bytes), handler);
          }))
        return who + " ended the transfer early (it may lack the records, or be busy): " +
               ec.message();
      const std::size_t length = parse_length(length_bytes);
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
