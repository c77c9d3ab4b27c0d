// One block for equal parts of different objects: the containers and volumes of a pod are
// usually those of its template, alike in every pod of a replication controller, as are the
// owner references; pods that started in the same second have the same conditions. A state
// holds one copy of each distinct list instead of one per object (messages/shared_list.hpp).
//
// The pool refers to blocks weakly: a block lives as long as an object (of this state or of
// any other holding a copy) holds it, never because a pool knows it. Entries of dead blocks
// are swept when the pool has doubled since the last sweep.
#pragma once

#include <cstddef>
#include <unordered_map>
#include <unordered_set>

#include "messages/objects.hpp"

namespace capstan::store {

class object_sharing {
public:
  // Equal lists compared per hash value at most; beyond that a list is neither shared nor
  // kept (lists made to collide cost a bounded comparison, not one per object).
  static constexpr std::size_t max_per_hash = 4;

  // Makes `object`'s sharable parts hold the block of an equal part seen before, or offers
  // its own for the next ones. The object's value does not change.
  void share(messages::any_object& object);
  void share(messages::pod_spec& spec);

  // Entries in the pools (including those of dead blocks until the next sweep).
  std::size_t entries() const;

private:
  template <class T>
  struct pool {
    struct entry {
      typename messages::shared_list<T>::weak_block block;
      const void* address;  // the block's, kept valid by the weak reference
    };
    // Blocks by the hash of their items, and the addresses of the same blocks.
    std::unordered_multimap<std::size_t, entry> lists;
    std::unordered_set<const void*> blocks;
    std::size_t sweep_at = 1024;
    void share(messages::shared_list<T>& list);
    void sweep();
  };
  pool<messages::container> containers_;
  pool<messages::volume> volumes_;
  pool<messages::owner_reference> owners_;
  pool<messages::pod_condition> conditions_;
};

}  // namespace capstan::store
