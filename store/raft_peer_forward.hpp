// A member hands requests to another member over the other's Raft port (store/
// raft_tls_transport.hpp serves them) and waits for their answers: how a follower forwards its
// clients' writes to the leader (actors/master/forwarded_commands.hpp says what the bytes are).
// One channel (a TLS connection, kept while in use) carries every request to that member at
// once, each answered by number (store/raft_peer_wire.hpp): a forward costs no handshake.
// Nothing is sent before the member accepted the channel.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "store/raft_tls_transport.hpp"

namespace capstan::store {

struct peer_forward_request {
  uint64_t peer_id = 0;  // the member asked: its certificate must name it
  std::string peer_address;
  std::string body;  // at most max_forward_bytes (store/raft_peer_wire.hpp)
};

struct peer_forward_result {
  enum class outcome {
    answered,   // `text` is the member's answer
    not_sent,   // the member never had the whole request, or refused it without acting on it
                // (`text` says why): nothing was done, a retry is safe
    unanswered  // it was sent, and no answer came (`text` says why): it may have been carried out
  };
  outcome result = outcome::not_sent;
  std::string text;
};

// Thread-safe. Its own thread drives the connections (mutual TLS, as the members' own
// connections; the member's certificate is `tls`'s, for member `own_id`).
class peer_forward_channel {
public:
  // Throws std::runtime_error when the TLS material is unusable.
  peer_forward_channel(const raft_tls_config& tls, uint64_t own_id);
  // close(), then joins its thread.
  ~peer_forward_channel();
  peer_forward_channel(const peer_forward_channel&) = delete;
  peer_forward_channel& operator=(const peer_forward_channel&) = delete;

  // Sends the request on the channel to `request.peer_id` (opening it when there is none, or
  // when the member asked is another than last time: the older channel then closes once its
  // answers came) and waits for the answer, at most `timeout` (opening the channel: at most
  // 5 s of it). Blocks the calling thread: not an actor's. At most max_waiting requests wait
  // at once; beyond, not_sent at once.
  peer_forward_result forward(const peer_forward_request& request,
                              std::chrono::milliseconds timeout);
  // Ends every channel: what waits is answered (not_sent, or unanswered when it was sent), and
  // later requests are not sent. Idempotent.
  void close();

  static constexpr std::size_t max_waiting = 256;
  // A channel with nothing waiting for this long closes, and one with no frame written or read
  // for this long takes no new request (the member's side closes a channel after its
  // forward_timeout with no frame, 70 s by default: never while a new request is on its way).
  // A request sent whose caller stopped waiting retires its channel too (the member or the way
  // to it is stuck): later ones go on a new channel.
  static constexpr std::chrono::seconds idle_close{30};

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace capstan::store
