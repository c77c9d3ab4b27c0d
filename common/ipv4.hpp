// IPv4 addresses and CIDRs as numbers: the master allocates from them, the node agents route
// and address pods with them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace capstan::common {

// An IPv4 CIDR, as numbers.
struct ipv4_cidr {
  uint32_t network = 0;
  int prefix = 0;

  static std::optional<ipv4_cidr> parse(const std::string& text);
  uint32_t size() const { return prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)); }
  bool contains(uint32_t address) const { return address - network < size(); }
  std::string to_string() const;
};

std::optional<uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(uint32_t address);

}  // namespace capstan::common
