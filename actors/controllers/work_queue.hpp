// The work queue every controller loop and the scheduler share (Kubernetes' client-go
// `workqueue`, its rate-limiting flavour): keys to sync, each at most once in the queue, each
// synced by one worker at a time, a failed key requeued after an exponential back-off.
//
// Plain data, no clock of its own: every operation that depends on time takes `now`, so that
// tests drive it with any clock they like (the actors pass their CAF clock, which the test
// coordinator controls). Not thread-safe: one actor owns it.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace capstan::actors {

// How long a key that failed `failures` times in a row waits before it is synced again:
// base * 2^(failures - 1), at most `max` (client-go's ItemExponentialFailureRateLimiter, with a
// shorter ceiling than its 1000 s: an RC refused by a quota the user then raised grows again
// within 30 s, and a key that keeps failing is logged twice a minute).
struct backoff_policy {
  std::chrono::steady_clock::duration base = std::chrono::milliseconds(5);
  std::chrono::steady_clock::duration max = std::chrono::seconds(30);

  std::chrono::steady_clock::duration delay(uint32_t failures) const {
    if (failures == 0)
      return {};
    auto d = base;
    for (uint32_t i = 1; i < failures && d < max; ++i)
      d *= 2;
    return std::min(d, max);
  }
};

// Contract, as client-go's:
// - add(k): k is queued once however often it is added; a key being synced (taken by get and not
//   yet done) is queued again only when its sync is done, so no key is synced twice at once.
// - get(now) hands out the oldest queued key and marks it in flight; done(k) ends its sync.
// - add_after(k, when) queues k at `when` (the earliest of several such times wins);
//   add_rate_limited(k, now) is add_after with the key's back-off; forget(k) resets it.
// Key needs std::hash and ==; the order keys are handed out in never depends on hashing.
template <class Key>
class work_queue {
public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  explicit work_queue(backoff_policy backoff = {}) : backoff_(backoff) {
  }

  void add(const Key& key) {
    waiting_at_.erase(key);  // a key queued now no longer waits (its timer entry is skipped)
    if (!queued_.insert(key).second)
      return;
    if (!in_flight_.count(key))
      order_.push_back(key);
  }

  void add_after(const Key& key, time_point when) {
    if (queued_.count(key))
      return;  // queued already: it will be synced sooner
    auto it = waiting_at_.find(key);
    if (it != waiting_at_.end() && it->second <= when)
      return;
    waiting_at_[key] = when;
    timers_.emplace(when, key);
  }

  // Queues `key` after its back-off and counts the failure. Returns the delay.
  clock::duration add_rate_limited(const Key& key, time_point now) {
    auto delay = backoff_.delay(++failures_[key]);
    add_after(key, now + delay);
    return delay;
  }

  // The key synced well: its next failure starts the back-off from the beginning.
  void forget(const Key& key) {
    failures_.erase(key);
  }

  uint32_t failures(const Key& key) const {
    auto it = failures_.find(key);
    return it == failures_.end() ? 0 : it->second;
  }

  // The oldest queued key, now in flight; nothing when none is queued (keys whose time has come
  // are queued first).
  std::optional<Key> get(time_point now) {
    promote_due(now);
    if (order_.empty())
      return std::nullopt;
    Key key = std::move(order_.front());
    order_.pop_front();
    queued_.erase(key);
    in_flight_.insert(key);
    return key;
  }

  // Ends the sync of `key` (taken by get). A key added during its sync is queued now.
  void done(const Key& key) {
    in_flight_.erase(key);
    if (queued_.count(key))
      order_.push_back(key);
  }

  // Whether get(now) would hand out a key.
  bool ready(time_point now) const {
    return !order_.empty() || (!timers_.empty() && timers_.begin()->first <= now);
  }

  // When the earliest waiting key comes due, if any waits.
  std::optional<time_point> next_due() const {
    for (const auto& [when, key] : timers_) {
      auto it = waiting_at_.find(key);
      if (it != waiting_at_.end() && it->second == when)
        return when;
    }
    return std::nullopt;
  }

  bool in_flight(const Key& key) const {
    return in_flight_.count(key) != 0;
  }

  std::size_t depth() const {  // keys queued and ready, not counting those in flight
    return order_.size();
  }
  std::size_t waiting() const {  // keys waiting for their time (back-off or add_after)
    return waiting_at_.size();
  }
  std::size_t in_flight_count() const {
    return in_flight_.size();
  }

private:
  void promote_due(time_point now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto node = timers_.extract(timers_.begin());
      auto it = waiting_at_.find(node.mapped());
      if (it == waiting_at_.end() || it->second != node.key())
        continue;  // superseded by an earlier time or by add()
      waiting_at_.erase(it);
      add(node.mapped());
    }
  }

  backoff_policy backoff_;
  std::deque<Key> order_;    // queued keys, oldest first; never one in flight
  std::unordered_set<Key> queued_;     // keys to sync (in order_, or in flight to sync again)
  std::unordered_set<Key> in_flight_;  // taken by get, not yet done
  std::multimap<time_point, Key> timers_;          // may hold stale entries (see waiting_at_)
  std::unordered_map<Key, time_point> waiting_at_;  // each waiting key's one valid time
  std::unordered_map<Key, uint32_t> failures_;
};

}  // namespace capstan::actors
