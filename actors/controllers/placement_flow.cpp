#include "actors/controllers/placement_flow.hpp"

#include <algorithm>

namespace capstan::actors {

namespace {

constexpr int64_t longest_counted_wait = 3'600'000'000'000;  // an hour, in nanoseconds

placement_flow_limits checked(placement_flow_limits limits) {
  limits.max_bound = std::max<std::size_t>(limits.max_bound, 1);
  limits.min_bound = std::clamp<std::size_t>(limits.min_bound, 1, limits.max_bound);
  limits.target_wait_nanos = std::max<int64_t>(limits.target_wait_nanos, 1);
  limits.window_nanos = std::max<int64_t>(limits.window_nanos, 0);
  return limits;
}

placement_flow_limits with_max(std::size_t max_bound) {
  placement_flow_limits limits;
  limits.max_bound = max_bound;
  return limits;
}

}  // namespace

placement_flow::placement_flow(std::size_t max_bound) : placement_flow(with_max(max_bound)) {}

placement_flow::placement_flow(const placement_flow_limits& limits)
    : limits_(checked(limits)), bound_(limits_.max_bound) {}

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

void placement_flow::created(const store::object_key& pod, bool placed, int64_t at_nanos) {
  asked_ = std::max(asked_ - 1, 0);
  if (!placed)
    unplaced_.try_emplace(pod, at_nanos);
}

void placement_flow::placed(const store::object_key& pod, int64_t at_nanos) {
  auto it = unplaced_.find(pod);
  if (it == unplaced_.end())
    return;
  if (window_placed_ == 0)
    window_start_ = at_nanos;
  // A clock set back counts no wait; a wait of over an hour counts an hour (the sum stays far
  // from overflowing, whatever times the records carry).
  window_waits_ += std::clamp<int64_t>(at_nanos - it->second, 0, longest_counted_wait);
  ++window_placed_;
  unplaced_.erase(it);
  if (at_nanos - window_start_ >= limits_.window_nanos)
    adjust_bound();
}

void placement_flow::deleted(const store::object_key& pod) {
  unplaced_.erase(pod);
}

void placement_flow::adjust_bound() {
  const int64_t mean = window_waits_ / window_placed_;
  recent_means_[recent_next_] = mean;
  recent_next_ = (recent_next_ + 1) % recent_means_.size();
  recent_count_ = std::min(recent_count_ + 1, recent_means_.size());
  const int64_t least =
      *std::min_element(recent_means_.begin(), recent_means_.begin() + recent_count_);
  const int64_t target =
      std::max(limits_.target_wait_nanos, least + limits_.target_wait_nanos / 2);
  if (mean > target) {
    const double scale = std::max(0.5, double(target) / double(mean));
    bound_ = std::max(limits_.min_bound, static_cast<std::size_t>(double(bound_) * scale));
  } else {
    bound_ = std::min(limits_.max_bound, bound_ + std::max<std::size_t>(limits_.max_bound / 16, 1));
  }
  window_waits_ = 0;  // the next placement starts the next window
  window_placed_ = 0;
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
