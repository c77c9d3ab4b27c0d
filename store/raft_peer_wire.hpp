// What crosses a master's Raft port besides TLS itself (store/raft_tls_transport.cpp): member
// addresses, the preamble a connecting member sends after the handshake, the certificate that
// identifies a member, and the options of the member's TCP sockets. Internal to the transport.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <openssl/ssl.h>

namespace capstan::store {

// "HOST:PORT" or "[HOST]:PORT", HOST an IP literal (no name lookups on either thread).
std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(const std::string& address);

// The preamble: "CRT1", the member's id (8 bytes, little-endian), the length of its address
// (2 bytes, little-endian, 1 to max_address_bytes), the address (printable ASCII).
inline constexpr std::size_t preamble_header_bytes = 14;
inline constexpr std::size_t max_address_bytes = 255;
using preamble_header_bytes_type = std::array<unsigned char, preamble_header_bytes>;
struct preamble_header {
  uint64_t id = 0;
  std::size_t address_length = 0;
};
std::string encode_preamble(uint64_t id, const std::string& address);
// The header's fields; nullopt when it is no preamble (magic, id 0, length out of range).
std::optional<preamble_header> parse_preamble_header(const preamble_header_bytes_type& bytes);
bool is_printable_address(const std::string& address);

// Whether the (verified) peer certificate of `ssl` is member `id`'s:
// CN=raft_member_common_name(id), O=raft_member_organization.
bool is_member_certificate(SSL* ssl, uint64_t id);

// A peer whose machine died or was cut off never sends its end: after ~10 s idle, probes every
// 2 s, 3 unanswered (and unacknowledged data for 15 s) close the connection.
void keep_alive(boost::asio::ip::tcp::socket& socket);

}  // namespace capstan::store
