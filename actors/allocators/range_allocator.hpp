// Allocation of numbered slots in a fixed range: ClusterIPs in a service CIDR, NodePorts in
// 30000-32767, pod CIDRs in the cluster CIDR. Plain data; the allocator actor owns instances.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ipv4.hpp"

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

// The CIDR helpers live in common/ (the node agents use them too).
using common::format_ipv4;
using common::ipv4_cidr;
using common::parse_ipv4;

}  // namespace capstan::actors
