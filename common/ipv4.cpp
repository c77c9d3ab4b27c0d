#include "common/ipv4.hpp"

#include <arpa/inet.h>

namespace capstan::common {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1)
    return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string format_ipv4(uint32_t address) {
  in_addr addr{htonl(address)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

std::optional<ipv4_cidr> ipv4_cidr::parse(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos)
    return std::nullopt;
  auto address = parse_ipv4(text.substr(0, slash));
  int prefix = -1;
  try {
    prefix = std::stoi(text.substr(slash + 1));
  } catch (...) {
    return std::nullopt;
  }
  if (!address || prefix < 0 || prefix > 32)
    return std::nullopt;
  uint32_t mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
  return ipv4_cidr{*address & mask, prefix};
}

std::string ipv4_cidr::to_string() const {
  return format_ipv4(network) + "/" + std::to_string(prefix);
}

}  // namespace capstan::common
