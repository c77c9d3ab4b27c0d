// C-Raft's transport (struct raft_uv_transport) over mutual TLS: how the masters' Raft logs talk
// to one another. C-Raft reads and writes a libuv stream; this transport hands it one end of a
// socketpair and bridges the other end to a TLS connection driven by Boost.Asio on a thread of
// its own (C-Raft's loop never waits on TLS).
//
// Who may connect: a peer whose certificate the cluster's CA signed, for the subject
// CN=raft_member_common_name(id), O=raft_member_organization. A connecting member sends, after the handshake, a preamble
// naming its id and address; the id must be the certificate's, so a member cannot speak for
// another. A member only connects to a peer whose certificate names the id it expects.
//
// Bounds: at most `max_connections` connections at once (inbound and outbound), of which at most
// `max_handshakes` inbound ones not yet authenticated; a handshake and its preamble must finish
// within `handshake_timeout`; a bridged connection holds two 64 KiB buffers. TCP keepalive
// closes a connection whose peer vanished; a member's newer inbound connection closes its older
// one. Everything else is C-Raft's (it checks the messages it reads).
//
// The same port answers a member's fetch of journal records (store/raft_peer_fetch.hpp): its
// preamble names the positions wanted; they are sent in chunks of about 1 MiB, each a 4-byte
// little-endian length and the chunk, ended by a length of 0. A fetch the member cannot answer
// in full (it lacks the positions, or is busy) is closed before its end. It also takes a
// member's channel of forwarded requests (store/raft_peer_forward.hpp; the frames are in
// store/raft_peer_wire.hpp): many requests at once, each answered by number when its answer
// comes; an answer of length 0 refuses a request (nothing was done).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

struct raft_uv_transport;
struct uv_loop_s;

namespace capstan::store {

// The subject CN of member `id`'s certificate: "capstan-master-<id>".
std::string raft_member_common_name(uint64_t id);
// Whether `address` is one this transport can reach: "IP:PORT" or "[IPv6]:PORT" (no names).
bool is_raft_address(const std::string& address);
// The subject O of the masters' certificates.
inline constexpr const char* raft_member_organization = "capstan:masters";

struct raft_tls_config {
  // The cluster CA's certificate (PEM): a peer's certificate must chain to it.
  std::string ca_certificate_pem;
  // This member's certificate and key (PEM; certificate_authority::issue_peer_certificate, for
  // CN=raft_member_common_name(id), both serverAuth and clientAuth).
  std::string certificate_pem;
  std::string key_pem;
  // Where the listener binds ("HOST:PORT", HOST an IPv4 or IPv6 literal); empty: the member's
  // own address (the one C-Raft is given).
  std::string bind_address;
  std::chrono::milliseconds handshake_timeout{5000};
  // Connections at once, bridged or not (each bridged one holds two 64 KiB buffers).
  std::size_t max_connections = 64;
  // Inbound connections not yet authenticated at once: beyond, new ones are closed unread.
  // Outbound connections and authenticated members never count here, so strangers that hold
  // connections open cannot keep members out for longer than `handshake_timeout`.
  std::size_t max_handshakes = 16;
  // ... and from any one IP address (members connect from their own addresses).
  std::size_t max_handshakes_per_address = 4;
  // Answers other members' fetches (store/raft_peer_fetch.hpp), on the TLS thread: the encoded
  // positions from `next` on up to `to`, about `budget` bytes, `next` advanced past them (the
  // state machine's read_for_peer). Unset: fetches are refused. At most `max_fetches` at once;
  // each chunk must be taken by the member within `fetch_timeout`.
  std::function<std::string(uint64_t& next, uint64_t to, std::size_t budget)> serve_fetch;
  std::size_t max_fetches = 2;
  std::chrono::milliseconds fetch_timeout{30000};
  // Answers other members' forwarded requests (store/raft_peer_forward.hpp): called on the TLS
  // thread with the asking member's id and its request. It must not block: it hands the work
  // on and calls `answer` once, from any thread, with the answer (1 to max_forward_bytes; an
  // empty or larger one closes the channel). Unset, or `max_forwards` requests waiting over
  // all channels: a request is refused with an empty answer, never handed on. A channel with
  // no frame read or written for `forward_timeout` is closed, and with it the answers still
  // due on it are dropped (as is a second answer, or one given after the transport closed).
  // A channel whose member does not read its answers (8 MiB of them, or max_forwards + 16)
  // is not read from until it does.
  using forward_answer = std::function<void(std::string answer)>;
  std::function<void(uint64_t member, std::string request, forward_answer answer)> serve_forward;
  std::size_t max_forwards = 32;
  std::chrono::milliseconds forward_timeout{70000};
};

class raft_tls_transport {
public:
  // Construct on the loop's thread; the loop must run until close (C-Raft calls it through
  // transport()) has called back. Throws std::runtime_error when the TLS material is unusable.
  raft_tls_transport(raft_tls_config config, uv_loop_s* loop);
  ~raft_tls_transport();
  raft_tls_transport(const raft_tls_transport&) = delete;
  raft_tls_transport& operator=(const raft_tls_transport&) = delete;

  // What C-Raft's raft_uv_init takes; valid while this object lives.
  raft_uv_transport* transport();
  // The members this one has a Raft connection with now (bridged, either way); any thread.
  std::set<uint64_t> connected_members() const;
  // Whether close was called (C-Raft closes its transport only if it initialized it: when it
  // did not, the owner closes it, and runs the loop until the callback).
  bool close_requested() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace capstan::store
