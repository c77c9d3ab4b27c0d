// A member hands a request to another member over the other's Raft port (store/
// raft_tls_transport.hpp serves it) and waits for its answer: how a follower forwards a
// client's write to the leader (actors/master/forwarded_commands.hpp says what the bytes are).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/raft_tls_transport.hpp"

namespace capstan::store {

struct peer_forward_request {
  uint64_t own_id = 0;   // the forwarding member (its certificate, in `tls`, must say so)
  uint64_t peer_id = 0;  // the member asked: its certificate must name it
  std::string peer_address;
  std::string body;  // at most max_forward_bytes (store/raft_peer_wire.hpp)
};

struct peer_forward_result {
  enum class outcome {
    answered,   // `text` is the member's answer
    not_sent,   // the member never had the whole request, or refused it before reading it
                // (`text` says why): nothing was done, a retry is safe
    unanswered  // it was sent, and no answer came (`text` says why): it may have been carried out
  };
  outcome result = outcome::not_sent;
  std::string text;
};

// Connects (mutual TLS, as the members' own connections), sends the request and reads the
// answer, on the calling thread (it blocks: not on an actor's thread). Connecting and the
// handshake may take 5 s, each later step `timeout`; an answer over max_forward_bytes is
// refused.
peer_forward_result forward_to_member(const raft_tls_config& tls,
                                      const peer_forward_request& request,
                                      std::chrono::milliseconds timeout);

}  // namespace capstan::store
