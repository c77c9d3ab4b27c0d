// Flow control between the replication manager and the scheduler, as plain data: how many pods
// the manager may ask for now. Pods created faster than the scheduler places them only wait in
// its queue, each behind all the others (a burst of a million pods waited seconds from created
// to bound), and place none sooner. So the manager keeps the pods it created and the scheduler
// has not yet placed under a bound; an RC that wanted more waits here, and is synced again as
// placements free room. Placed means bound, found unschedulable (PodScheduled=False: it then
// waits for a change, not for the scheduler's queue) or deleted.
//
// Not thread-safe: the replication manager's state.
#pragma once

#include <cstddef>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/cluster_state.hpp"

namespace capstan::actors {

class placement_flow {
public:
  // At most `bound` pods asked for and not yet placed (at least 1).
  explicit placement_flow(std::size_t bound);

  // How many pods may be asked for now (0 at the bound).
  int room() const;
  // `count` creates were asked for; `count` of them failed (they will never be seen created).
  void asked(int count);
  void failed(int count);
  // A pod this manager asked for was created (committed); `placed`: it came with its node.
  void created(const store::object_key& pod, bool placed);
  // `pod` was bound, found unschedulable or deleted: it no longer waits (any pod may be passed).
  void placed(const store::object_key& pod);

  // `rc` wanted `shortfall` pods beyond the room it was given: it waits for room.
  void hold_back(const store::object_key& rc, int shortfall);
  // The RCs to sync again now, oldest held first, as many as the room covers (at least one
  // while there is any room); they no longer wait here. Call it once per turn of syncs, before
  // them: the RCs released ask for their pods in that turn, and the next call counts those.
  std::vector<store::object_key> release();

  std::size_t unplaced() const { return unplaced_.size(); }
  std::size_t held_back() const { return held_.size(); }

private:
  std::size_t bound_;
  int asked_ = 0;  // creates asked for, not yet seen created nor failed
  std::unordered_set<store::object_key> unplaced_;
  std::deque<store::object_key> held_;                    // oldest first
  std::unordered_map<store::object_key, int> shortfall_;  // of each RC in held_
};

}  // namespace capstan::actors
