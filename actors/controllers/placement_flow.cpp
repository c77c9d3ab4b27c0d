#include "actors/controllers/placement_flow.hpp"

#include <algorithm>

namespace capstan::actors {

placement_flow::placement_flow(std::size_t bound) : bound_(std::max<std::size_t>(bound, 1)) {}

int placement_flow::room() const {
  const std::size_t waiting = unplaced_.size() + static_cast<std::size_t>(asked_);
  return waiting >= bound_ ? 0 : static_cast<int>(bound_ - waiting);
}

void placement_flow::asked(int count) {
  asked_ += std::max(count, 0);
}

void placement_flow::failed(int count) {
  asked_ = std::max(asked_ - std::max(count, 0), 0);
}

void placement_flow::created(const store::object_key& pod, bool placed) {
  asked_ = std::max(asked_ - 1, 0);
  if (!placed)
    unplaced_.insert(pod);
}

void placement_flow::placed(const store::object_key& pod) {
  unplaced_.erase(pod);
}

void placement_flow::hold_back(const store::object_key& rc, int shortfall) {
  auto [it, added] = shortfall_.try_emplace(rc, shortfall);
  if (added)
    held_.push_back(rc);
  else
    it->second = shortfall;
}

std::vector<store::object_key> placement_flow::release() {
  std::vector<store::object_key> out;
  int budget = room();
  while (budget > 0 && !held_.empty()) {
    auto rc = std::move(held_.front());
    held_.pop_front();
    auto it = shortfall_.find(rc);
    budget -= std::max(it->second, 1);
    shortfall_.erase(it);
    out.push_back(std::move(rc));
  }
  return out;
}

}  // namespace capstan::actors
