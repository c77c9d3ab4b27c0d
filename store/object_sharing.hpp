// One block for equal parts of different objects: the containers and volumes of a pod are
// usually those of its template, alike in every pod of a replication controller, as are the
// owner references; pods that started in the same second have the same conditions. A state
// holds one copy of each distinct list instead of one per object (messages/shared_list.hpp).
#pragma once

#include <cstddef>
#include <unordered_map>
#include <unordered_set>

#include "messages/objects.hpp"

namespace capstan::store {

class object_sharing {
public:
  // Makes `object`'s sharable parts hold the block of an equal part seen before (kept from
  // then on), or offers its own for the next ones. The object's value does not change.
  void share(messages::any_object& object);
  void share(messages::pod_spec& spec);

  // Distinct lists held (including ones no object holds any more, until the next sweep).
  std::size_t distinct_lists() const;

private:
  // Lists by the hash of their items. Entries only this pool holds are swept when the pool
  // has doubled since the last sweep, so the pool stays within twice the lists in use.
  template <class T>
  struct pool {
    std::unordered_multimap<std::size_t, messages::shared_list<T>> lists;
    std::unordered_set<const T*> blocks;  // the items of each list in `lists`
    std::size_t sweep_at = 1024;
    void share(messages::shared_list<T>& list);
  };
  pool<messages::container> containers_;
  pool<messages::volume> volumes_;
  pool<messages::owner_reference> owners_;
  pool<messages::pod_condition> conditions_;
};

}  // namespace capstan::store
