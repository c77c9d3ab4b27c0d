#include "store/raft_peer_wire.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <stdexcept>

#include <openssl/x509.h>

#include "store/raft_tls_transport.hpp"

namespace capstan::store {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::string raft_member_common_name(uint64_t id) {
  return "capstan-master-" + std::to_string(id);
}

namespace {

constexpr char preamble_magic[4] = {'C', 'R', 'T', '1'};
constexpr char fetch_magic[4] = {'C', 'J', 'F', '1'};
constexpr char forward_magic[4] = {'C', 'W', 'F', '2'};

void put_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// The first CN of the peer's certificate (already verified against the CA); empty when none.
std::string peer_common_name(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert)
    return "";
  char name[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name,
                                    sizeof name);
  return n > 0 ? std::string(name, static_cast<std::size_t>(n)) : "";
}

}  // namespace

std::optional<tcp::endpoint> parse_endpoint(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 >= address.size() || colon + 6 < address.size())
    return std::nullopt;
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9')
      return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  error_code ec;
  auto ip = net::ip::make_address(host, ec);
  if (ec || port > 65535)
    return std::nullopt;
  return tcp::endpoint(ip, static_cast<unsigned short>(port));
}

bool is_member_certificate(SSL* ssl, uint64_t id) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert)
    return false;
  char organization[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_organizationName,
                                    organization, sizeof organization);
  return n > 0 && std::string(organization, static_cast<std::size_t>(n)) ==
                      raft_member_organization &&
         peer_common_name(ssl) == raft_member_common_name(id);
}

void keep_alive(tcp::socket& socket) {
  int fd = socket.native_handle();
  int on = 1, idle = 10, interval = 2, count = 3;
  unsigned user_timeout_ms = 15000;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

bool is_raft_address(const std::string& address) {
  return parse_endpoint(address).has_value();
}

std::string encode_preamble(uint64_t id, const std::string& address) {
  std::string out(preamble_magic, sizeof preamble_magic);
  put_le(out, id, 8);
  put_le(out, address.size(), 2);
  out.append(address);
  return out;
}

std::string encode_fetch_preamble(uint64_t id, uint64_t from, uint64_t to) {
  std::string out(fetch_magic, sizeof fetch_magic);
  put_le(out, id, 8);
  put_le(out, fetch_request_bytes, 2);
  put_le(out, from, 8);
  put_le(out, to, 8);
  return out;
}

std::string encode_forward_channel_preamble(uint64_t id) {
  std::string out(forward_magic, sizeof forward_magic);
  put_le(out, id, 8);
  put_le(out, 0, 2);
  return out;
}

std::string encode_forward_frame_header(uint64_t number, std::size_t length) {
  std::string out;
  put_le(out, number, 8);
  put_le(out, length, 4);
  return out;
}

std::string encode_forward_frame(uint64_t number, const std::string& bytes) {
  std::string out = encode_forward_frame_header(number, bytes.size());
  out.append(bytes);
  return out;
}

forward_frame_header parse_forward_frame_header(
    const std::array<unsigned char, forward_frame_header_bytes>& bytes) {
  forward_frame_header header;
  for (int i = 7; i >= 0; --i)
    header.number = (header.number << 8) | bytes[static_cast<std::size_t>(i)];
  for (int i = 11; i >= 8; --i)
    header.length = (header.length << 8) | bytes[static_cast<std::size_t>(i)];
  return header;
}

std::string encode_length(std::size_t length) {
  std::string out;
  put_le(out, length, 4);
  return out;
}

std::size_t parse_length(const unsigned char (&bytes)[forward_length_bytes]) {
  std::size_t length = 0;
  for (int i = 3; i >= 0; --i)
    length = (length << 8) | bytes[i];
  return length;
}

std::optional<preamble_header> parse_preamble_header(const preamble_header_bytes_type& bytes) {
  preamble_header header;
  if (std::memcmp(bytes.data(), preamble_magic, sizeof preamble_magic) == 0)
    header.kind = preamble_kind::raft;
  else if (std::memcmp(bytes.data(), fetch_magic, sizeof fetch_magic) == 0)
    header.kind = preamble_kind::fetch;
  else if (std::memcmp(bytes.data(), forward_magic, sizeof forward_magic) == 0)
    header.kind = preamble_kind::forward;
  else
    return std::nullopt;
  for (int i = 7; i >= 0; --i)
    header.id = (header.id << 8) | bytes[4 + static_cast<std::size_t>(i)];
  header.body_length = bytes[12] | (static_cast<std::size_t>(bytes[13]) << 8);
  if (header.id == 0 || header.body_length > max_address_bytes)
    return std::nullopt;
  if (header.kind == preamble_kind::forward)
    return header.body_length == 0 ? std::optional(header) : std::nullopt;
  if (header.body_length == 0)
    return std::nullopt;
  if (header.kind == preamble_kind::fetch && header.body_length != fetch_request_bytes)
    return std::nullopt;
  return header;
}

std::pair<uint64_t, uint64_t> parse_fetch_request(const std::string& body) {
  uint64_t from = 0, to = 0;
  for (int i = 7; i >= 0 && body.size() >= fetch_request_bytes; --i) {
    from = (from << 8) | static_cast<unsigned char>(body[static_cast<std::size_t>(i)]);
    to = (to << 8) | static_cast<unsigned char>(body[8 + static_cast<std::size_t>(i)]);
  }
  return {from, to};
}

void configure_member_tls(net::ssl::context& context, const raft_tls_config& config) {
  namespace ssl = net::ssl;
  try {
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1);
    context.add_certificate_authority(net::buffer(config.ca_certificate_pem));
    context.use_certificate_chain(net::buffer(config.certificate_pem));
    context.use_private_key(net::buffer(config.key_pem), ssl::context::pem);
    context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("the masters' TLS certificates are unusable: ") +
                             e.what());
  }
  SSL_CTX_set_max_cert_list(context.native_handle(), 16 * 1024);
}

bool is_printable_address(const std::string& address) {
  for (char ch : address)
    if (ch <= ' ' || ch > '~')
      return false;
  return true;
}

}  // namespace capstan::store
