#include "store/object_sharing.hpp"

#include <algorithm>

#include "messages/hash_fields.hpp"

namespace capstan::store {

template <class T>
void object_sharing::pool<T>::share(messages::shared_list<T>& list) {
  if (list.empty() || blocks.count(list.block_address()))
    return;  // empty, or the pool's block already
  const std::size_t hash = messages::hash_fields(list.items());
  auto [first, last] = lists.equal_range(hash);
  std::size_t same_hash = 0;
  for (auto it = first; it != last; ++it, ++same_hash) {
    auto block = it->second.block.lock();
    if (block && messages::equal_fields(*block, list.items())) {
      list.adopt(it->second.block);
      return;
    }
  }
  if (same_hash >= max_per_hash)
    return;
  if (lists.size() >= sweep_at)
    sweep();
  blocks.insert(list.block_address());
  lists.emplace(hash, entry{list.block(), list.block_address()});
}

template <class T>
void object_sharing::pool<T>::sweep() {
  for (auto it = lists.begin(); it != lists.end();) {
    if (it->second.block.expired()) {
      blocks.erase(it->second.address);
      it = lists.erase(it);
    } else {
      ++it;
    }
  }
  sweep_at = std::max<std::size_t>(1024, 2 * lists.size());
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

std::size_t object_sharing::entries() const {
  return containers_.lists.size() + volumes_.lists.size() + owners_.lists.size() +
         conditions_.lists.size();
}

}  // namespace capstan::store
