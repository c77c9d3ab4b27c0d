// Allocation of numbered slots in a fixed range: ClusterIPs in a service CIDR, NodePorts in
// 30000-32767, pod CIDRs in the cluster CIDR. Plain data; the allocator actor owns instances.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capstan::actors {

class range_allocator {
public:
  // Slots [first, first + count) of a range; slots outside are never handed out.
  range_allocator(uint32_t first, uint32_t count);

  // The next free slot after the last one handed out (so freed slots are not reused at once).
  std::optional<uint32_t> allocate();
  // Takes `slot`; false when it is outside the range or already taken.
  bool allocate_specific(uint32_t slot);
  void release(uint32_t slot);
  bool contains(uint32_t slot) const { return slot >= first_ && slot - first_ < used_.size(); }
  bool taken(uint32_t slot) const { return contains(slot) && used_[slot - first_]; }
  std::size_t free_count() const { return used_.size() - used_count_; }

private:
  uint32_t first_;
  std::vector<bool> used_;
  std::size_t used_count_ = 0;
  std::size_t next_ = 0;
};

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

}  // namespace capstan::actors
