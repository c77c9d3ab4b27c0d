#include "actors/allocators/range_allocator.hpp"

#include <arpa/inet.h>

namespace capstan::actors {

range_allocator::range_allocator(uint32_t first, uint32_t count) : first_(first), used_(count) {}

std::optional<uint32_t> range_allocator::allocate() {
  for (std::size_t i = 0; i < used_.size(); ++i) {
    std::size_t slot = (next_ + i) % used_.size();
    if (!used_[slot]) {
      used_[slot] = true;
      ++used_count_;
      next_ = slot + 1;
      return first_ + static_cast<uint32_t>(slot);
    }
  }
  return std::nullopt;
}

bool range_allocator::allocate_specific(uint32_t slot) {
  if (!contains(slot) || used_[slot - first_])
    return false;
  used_[slot - first_] = true;
  ++used_count_;
  return true;
}

void range_allocator::release(uint32_t slot) {
  if (taken(slot)) {
    used_[slot - first_] = false;
    --used_count_;
  }
}

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

}  // namespace capstan::actors
