#include "store/moment_cache.hpp"

#include "store/apply.hpp"
#include "store/event_log.hpp"
#include "store/restore.hpp"

namespace capstan::store {

moment_cache::moment_cache(const event_log& log, std::chrono::milliseconds keep_for,
                           std::size_t max_waiting, std::chrono::milliseconds max_wait)
    : log_(log),
      keep_for_(keep_for),
      max_waiting_(max_waiting),
      max_wait_(max_wait),
      dropper_([this] { forget_when_idle(); }) {}

moment_cache::~moment_cache() {
  {
    std::lock_guard<std::mutex> lock(drop_mutex_);
    stopping_ = true;
  }
  drop_wake_.notify_all();
  dropper_.join();
}

void moment_cache::with_state_at(uint64_t seq,
                                 const std::function<void(const cluster_state&)>& use,
                                 moment_stats* stats) {
  std::unique_lock<std::timed_mutex> lock(use_, std::try_to_lock);
  if (!lock.owns_lock()) {
    const bool counted = !quick(seq);
    if (counted && waiting_.fetch_add(1) >= max_waiting_) {
      waiting_.fetch_sub(1);
      throw moments_busy("past moments are rebuilt one at a time and " +
                         std::to_string(max_waiting_) + " wait already; try again shortly");
    }
    const bool locked = lock.try_lock_for(max_wait_);
    if (counted)
      waiting_.fetch_sub(1);
    if (!locked)
      throw moments_busy("past moments are rebuilt one at a time and none was free within " +
                         std::to_string(max_wait_.count()) + " ms; try again shortly");
  }
  if (seq > log_.last_seq())
    throw store_error("journal in " + log_.directory() + " has no record " + std::to_string(seq) +
                      " (its last is " + std::to_string(log_.last_seq()) + ")");
  auto drop_kept = [&] {
    if (!kept_)
      return;
    kept_at_ = 0;
    std::lock_guard<std::mutex> drop(drop_mutex_);
    to_free_.push_back(std::move(kept_));
    drop_wake_.notify_all();
  };
  moment_stats s;
  try {
    const auto snapshot = log_.snapshot_at_or_before(seq);
    const uint64_t snapshot_seq = snapshot ? snapshot->seq : 0;
    if (kept_ && kept_->seq <= seq && kept_->seq >= snapshot_seq) {
      s.from_kept = true;
    } else {
      drop_kept();
      kept_ = std::make_unique<cluster_state>();
      if (snapshot)
        load_snapshot(*kept_, log_, *snapshot);
    }
    s.start_seq = kept_->seq;
    s.replayed_records = replay_to(*kept_, log_, seq);
  } catch (...) {
    drop_kept();  // perhaps half replayed
    throw;
  }
  kept_at_ = kept_->seq;
  if (stats)
    *stats = s;
  last_used_ = std::chrono::steady_clock::now();
  use(*kept_);
  last_used_ = std::chrono::steady_clock::now();
}

bool moment_cache::quick(uint64_t seq) const {
  const uint64_t kept = kept_at_;
  if (kept == 0 || kept > seq || seq - kept > quick_replay_records)
    return false;
  const auto snapshot = log_.snapshot_at_or_before(seq);
  return !snapshot || snapshot->seq <= kept;
}

uint64_t moment_cache::kept_seq() const {
  std::lock_guard<std::timed_mutex> lock(use_);
  return kept_ ? kept_->seq : 0;
}

void moment_cache::forget_when_idle() {
  std::unique_lock<std::mutex> lock(drop_mutex_);
  while (!stopping_) {
    drop_wake_.wait_for(lock, keep_for_, [&] { return stopping_ || !to_free_.empty(); });
    auto freeing = std::move(to_free_);
    to_free_.clear();
    lock.unlock();
    freeing.clear();
    // A moment being rebuilt or used is not idle: skip it rather than wait for it.
    std::unique_ptr<cluster_state> idle;
    if (std::unique_lock<std::timed_mutex> use(use_, std::try_to_lock); use.owns_lock()) {
      if (kept_ && std::chrono::steady_clock::now() - last_used_ >= keep_for_) {
        kept_at_ = 0;
        idle = std::move(kept_);
      }
    }
    idle.reset();
    lock.lock();
  }
}

}  // namespace capstan::store
