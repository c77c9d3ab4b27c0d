// What crosses a master's Raft port besides TLS itself (store/raft_tls_transport.cpp): member
// addresses, the preamble a connecting member sends after the handshake, the certificate that
// identifies a member, and the options of the member's TCP sockets. Internal to the transport.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace capstan::store {

// "HOST:PORT" or "[HOST]:PORT", HOST an IP literal (no name lookups on either thread).
std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(const std::string& address);

// The preamble a connecting member sends after the handshake: a magic naming what the
// connection is for, the member's id (8 bytes, little-endian), the length of what follows
// (2 bytes, little-endian, 1 to max_address_bytes), what follows.
//   "CRT1": C-Raft's messages from then on; what follows is the member's address (printable).
//   "CJF1": a fetch of journal records (store/raft_peer_fetch.hpp); what follows is the first
//           and the last position wanted (8 bytes each, little-endian).
//   "CWF2": a channel of writes forwarded to the leader (store/raft_peer_forward.hpp); nothing
//           follows (length 0). Then frames go both ways, each a request number (8 bytes,
//           little-endian), a length (4 bytes, little-endian, at most max_forward_bytes) and
//           that many bytes: the asker's requests (length 1 and up, numbers it never reused on
//           the connection) and the answers, in any order, each naming its request's number (a
//           length of 0 refuses the request: nothing was done). The first answer is number 0,
//           empty: the member took the channel (requests never use number 0).
inline constexpr std::size_t preamble_header_bytes = 14;
inline constexpr std::size_t max_address_bytes = 255;
inline constexpr std::size_t fetch_request_bytes = 16;
inline constexpr std::size_t forward_length_bytes = 4;
inline constexpr std::size_t forward_frame_header_bytes = 12;
// A forwarded request or its answer (an object is at most ~3 MiB, the API's body bound; the
// journal's encoding in base64 in JSON adds a third).
inline constexpr std::size_t max_forward_bytes = 6u << 20;
using preamble_header_bytes_type = std::array<unsigned char, preamble_header_bytes>;
enum class preamble_kind { raft, fetch, forward };
struct preamble_header {
  preamble_kind kind = preamble_kind::raft;
  uint64_t id = 0;
  std::size_t body_length = 0;
};
std::string encode_preamble(uint64_t id, const std::string& address);
std::string encode_fetch_preamble(uint64_t id, uint64_t from, uint64_t to);
// What a forwarding member writes first on its channel.
std::string encode_forward_channel_preamble(uint64_t id);
// A frame of the channel: its header and bytes; the header alone (a frame of `length` bytes).
std::string encode_forward_frame(uint64_t number, const std::string& bytes);
std::string encode_forward_frame_header(uint64_t number, std::size_t length);
struct forward_frame_header {
  uint64_t number = 0;
  std::size_t length = 0;
};
forward_frame_header parse_forward_frame_header(
    const std::array<unsigned char, forward_frame_header_bytes>& bytes);
// A little-endian length (fetch chunks, forwarded requests and answers) and its reading.
std::string encode_length(std::size_t length);
std::size_t parse_length(const unsigned char (&bytes)[forward_length_bytes]);
// The header's fields; nullopt when it is no preamble (magic, id 0, length out of range or, for
// a fetch, not fetch_request_bytes; for a forward channel, not 0).
std::optional<preamble_header> parse_preamble_header(const preamble_header_bytes_type& bytes);
// A fetch's first and last position, from its fetch_request_bytes.
std::pair<uint64_t, uint64_t> parse_fetch_request(const std::string& body);
bool is_printable_address(const std::string& address);

struct raft_tls_config;
// Loads the member's certificate, key and CA into `context` and requires the peer's
// certificate (TLS 1.2 or later). Throws std::runtime_error when the material is unusable.
void configure_member_tls(boost::asio::ssl::context& context, const raft_tls_config& config);

// Whether the (verified) peer certificate of `ssl` is member `id`'s:
// CN=raft_member_common_name(id), O=raft_member_organization.
bool is_member_certificate(SSL* ssl, uint64_t id);

// A peer whose machine died or was cut off never sends its end: after ~10 s idle, probes every
// 2 s, 3 unanswered (and unacknowledged data for 15 s) close the connection.
void keep_alive(boost::asio::ip::tcp::socket& socket);

}  // namespace capstan::store
