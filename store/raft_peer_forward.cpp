#include "store/raft_peer_forward.hpp"

#include "store/detail/timed_connection.hpp"
#include "store/raft_peer_wire.hpp"

namespace capstan::store {

namespace net = boost::asio;

namespace {

// A member that does not take a connection within this is as good as gone.
constexpr std::chrono::milliseconds connect_timeout{5000};

}  // namespace

peer_forward_result forward_to_member(const raft_tls_config& tls,
                                      const peer_forward_request& request,
                                      std::chrono::milliseconds timeout) {
  using outcome = peer_forward_result::outcome;
  const std::string who = "member " + std::to_string(request.peer_id) + " at " +
                          request.peer_address;
  auto endpoint = parse_endpoint(request.peer_address);
  if (!endpoint)
    return {outcome::not_sent, "the member address \"" + request.peer_address + "\" is no IP:PORT"};
  if (request.body.size() > max_forward_bytes)
    return {outcome::not_sent, "the request is over " + std::to_string(max_forward_bytes) + " bytes"};
  bool sent = false;  // the whole request reached the member: it may act on it
  try {
    detail::timed_connection c(tls, std::min(timeout, connect_timeout));
    auto& stream = c.stream();
    if (std::string failed = c.open(*endpoint, request.peer_id, who); !failed.empty())
      return {outcome::not_sent, failed};
    c.set_timeout(timeout);
    std::string message = encode_forward_preamble(request.own_id, request.body);
    if (auto ec = c.run([&](auto handler) { net::async_write(stream, net::buffer(message), handler); })) {
      // The member acts only on a whole request; it may have refused it early (its answer,
      // an empty one, then ends the connection before the rest was written).
      return {outcome::not_sent, "cannot send the request to " + who + ": " + ec.message()};
    }
    sent = true;
    unsigned char length_bytes[forward_length_bytes];
    if (auto ec = c.run([&](auto handler) { net::async_read(stream, net::buffer(length_bytes), handler); }))
      return {outcome::unanswered, who + " did not answer: " + ec.message()};
    const std::size_t length = parse_length(length_bytes);
    if (length == 0)
      return {outcome::not_sent, who + " refused the request (busy, or it takes no forwards)"};
    if (length > max_forward_bytes)
      return {outcome::unanswered, who + " answered " + std::to_string(length) + " bytes, over the bound"};
    std::string answer(length, '\0');
    if (auto ec = c.run([&](auto handler) { net::async_read(stream, net::buffer(answer), handler); }))
      return {outcome::unanswered, who + " ended its answer early: " + ec.message()};
    return {outcome::answered, std::move(answer)};
  } catch (const std::exception& e) {
    return {sent ? outcome::unanswered : outcome::not_sent,
            "cannot forward to " + who + ": " + e.what()};
  }
}

}  // namespace capstan::store
