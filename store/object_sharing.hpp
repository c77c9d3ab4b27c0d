// One block for equal parts of different objects: the containers and volumes of a pod are
// usually those of its template, alike in every pod of a replication controller. A state holds
// one copy of each distinct list instead of one per pod (messages/shared_list.hpp).
#pragma once

#include <cstddef>
#include <unordered_map>

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
    std::size_t sweep_at = 1024;
    void share(messages::shared_list<T>& list);
  };
  pool<messages::container> containers_;
  pool<messages::volume> volumes_;
};

}  // namespace capstan::store
