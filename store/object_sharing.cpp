#include "store/object_sharing.hpp"

#include <algorithm>

#include "messages/hash_fields.hpp"

namespace capstan::store {

template <class T>
void object_sharing::pool<T>::share(messages::shared_list<T>& list) {
  if (list.empty() || blocks.count(list.items().data()))
    return;
  const std::size_t hash = messages::hash_fields(list.items());
  auto [first, last] = lists.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (messages::equal_fields(it->second.items(), list.items())) {
      list.share(it->second);
      return;
    }
  }
  if (lists.size() >= sweep_at) {
    for (auto it = lists.begin(); it != lists.end();) {
      if (it->second.holders() == 1) {
        blocks.erase(it->second.items().data());
        it = lists.erase(it);
      } else {
        ++it;
      }
    }
    sweep_at = std::max<std::size_t>(1024, 2 * lists.size());
  }
  blocks.insert(list.items().data());
  lists.emplace(hash, list);
}

void object_sharing::share(messages::pod_spec& spec) {
  containers_.share(spec.containers);
  volumes_.share(spec.volumes);
}

void object_sharing::share(messages::any_object& object) {
  std::visit([&](auto& x) { owners_.share(x.metadata.owner_references); }, object);
  if (auto* p = std::get_if<messages::pod>(&object)) {
    share(p->spec);
    conditions_.share(p->status.conditions);
  }
  if (auto* rc = std::get_if<messages::replication_controller>(&object);
           rc && rc->spec.template_)
    share(rc->spec.template_->spec);
}

std::size_t object_sharing::distinct_lists() const {
  return containers_.lists.size() + volumes_.lists.size() + owners_.lists.size() +
         conditions_.lists.size();
}

}  // namespace capstan::store
