#include "actors/allocators/range_allocator.hpp"

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

}  // namespace capstan::actors
