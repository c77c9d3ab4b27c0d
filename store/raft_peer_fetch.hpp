// A member's fetch of journal records from another member, over the other's Raft port
// (store/raft_tls_transport.hpp serves it): how a member that lags behind a snapshot gets the
// records the snapshot stands for (replicated_state_machine::restore_snapshot).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/raft_tls_transport.hpp"

namespace capstan::store {

struct peer_fetch_request {
  uint64_t own_id = 0;   // the fetching member (its certificate, in `tls`, must say so)
  uint64_t peer_id = 0;  // the member asked: its certificate must name it
  std::string peer_address;
  uint64_t from = 0;  // the positions wanted, inclusive
  uint64_t to = 0;
};

// Connects (mutual TLS, as the members' own connections), asks for the positions and hands
// each chunk to `take` in order, on the calling thread (it blocks: not on an actor's thread).
// Returns empty once the member's last chunk came, else why not: no connection, a certificate
// that is not the member's, `take` refusing a chunk, a chunk over 64 MiB, or nothing read for
// `idle_timeout`. A member that lacks the positions ends the connection early.
std::string fetch_from_member(const raft_tls_config& tls, const peer_fetch_request& request,
                              const std::function<std::string(std::string_view)>& take,
                              std::chrono::milliseconds idle_timeout = std::chrono::seconds(30));

}  // namespace capstan::store
