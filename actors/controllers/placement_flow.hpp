// Flow control between the replication manager and the scheduler, as plain data: how many pods
// the manager may ask for now. Pods created faster than the scheduler places them only wait in
// its queue, each behind all the others (a burst of a million pods waited seconds from created
// to bound), and place none sooner. So the manager keeps the pods it created and the scheduler
// has not yet placed under a bound; an RC that wanted more waits here, and is synced again as
// placements free room. Placed means bound or found unschedulable (PodScheduled=False: it then
// waits for a change, not for the scheduler's queue); a deleted pod no longer waits either.
//
// The bound follows the wait. A pod waits about (pods ahead of it) / (pods placed a second), and
// the scheduler's pace is not constant: it halves while a snapshot's child process takes a core,
// and stops while fork() copies the page tables. So the bound is not fixed: after each window of
// `window_nanos` of journal time in which pods were placed, the mean wait of those pods (their
// placed record's time less their created record's) is compared with the target:
// - above it, the bound shrinks in proportion (to bound * target / mean, at most halved), as
//   many fewer pods wait as the wait is too long;
// - at or below it, the bound grows by a sixteenth of `max_bound` (pods placed quickly: the
//   scheduler can take more at once, and bigger batches are cheaper a pod).
// The target is `target_wait_nanos`, or the least mean of the last 64 windows plus half of it,
// whichever is longer: where even a few pods wait longer than the target (a slow disk's fsync
// in each of a pod's two commits), the bound does not fall to its least, and the pace with it,
// for a wait no bound can give; it keeps the queue's share of the wait small instead.
// It stays within [min_bound, max_bound]; min_bound is at most max_bound.
//
// Not thread-safe: the replication manager's state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/cluster_state.hpp"

namespace capstan::actors {

struct placement_flow_limits {
  std::size_t max_bound = 1000;               // at least 1
  std::size_t min_bound = 100;                // at least 1, at most max_bound
  int64_t target_wait_nanos = 40'000'000;     // mean created -> placed the bound aims at
  int64_t window_nanos = 100'000'000;         // journal time between two adjustments
};

class placement_flow {
public:
  // At most `max_bound` pods asked for and not yet placed (at least 1), the bound starting there.
  explicit placement_flow(std::size_t max_bound);
  explicit placement_flow(const placement_flow_limits& limits);

  // How many pods may be asked for now (0 at the bound).
  int room() const;
  // `count` creates were asked for; `count` of them failed (they will never be seen created).
  void asked(int count);
  void failed(int count);
  // A pod this manager asked for was created (committed) at journal time `at_nanos`; `placed`:
  // it came with its node.
  void created(const store::object_key& pod, bool placed, int64_t at_nanos);
  // `pod` was bound or found unschedulable at journal time `at_nanos`: it no longer waits, and
  // its wait counts toward the bound (any pod may be passed; one not counted changes nothing).
  void placed(const store::object_key& pod, int64_t at_nanos);
  // `pod` was deleted: it no longer waits; its wait says nothing of the scheduler's.
  void deleted(const store::object_key& pod);

  // `rc` wanted `shortfall` pods beyond the room it was given: it waits for room.
  void hold_back(const store::object_key& rc, int shortfall);
  // The RCs to sync again now, oldest held first, as many as the room covers (at least one
  // while there is any room); they no longer wait here. Call it once per turn of syncs, before
  // them: the RCs released ask for their pods in that turn, and the next call counts those.
  std::vector<store::object_key> release();

  std::size_t bound() const { return bound_; }
  std::size_t unplaced() const { return unplaced_.size(); }
  std::size_t held_back() const { return held_.size(); }

private:
  // Ends the window in progress: adjusts the bound to its mean wait.
  void adjust_bound();

  placement_flow_limits limits_;
  std::size_t bound_;
  int asked_ = 0;  // creates asked for, not yet seen created nor failed
  std::unordered_map<store::object_key, int64_t> unplaced_;  // -> its created record's time
  std::deque<store::object_key> held_;                        // oldest first
  std::unordered_map<store::object_key, int> shortfall_;      // of each RC in held_
  // The mean waits of the last windows (a ring), for the least of them.
  std::array<int64_t, 64> recent_means_{};
  std::size_t recent_count_ = 0;
  std::size_t recent_next_ = 0;
  // The window in progress (none while window_placed_ is 0): since when, and the waits of the
  // pods placed in it.
  int64_t window_start_ = 0;
  int64_t window_waits_ = 0;
  int64_t window_placed_ = 0;
};

}  // namespace capstan::actors
