#include "store/object_sharing.hpp"

#include <algorithm>

#include "messages/hash_fields.hpp"

namespace capstan::store {

template <class T>
void object_sharing::pool<T>::share(messages::shared_list<T>& list) {
  if (list.empty())
    return;
  const std::size_t hash = messages::hash_fields(list.items());
  auto [first, last] = lists.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (it->second.shares_with(list))
      return;
    if (messages::equal_fields(it->second.items(), list.items())) {
      list.share(it->second);
      return;
    }
  }
  if (lists.size() >= sweep_at) {
    for (auto it = lists.begin(); it != lists.end();)
      it = it->second.holders() == 1 ? lists.erase(it) : std::next(it);
    sweep_at = std::max<std::size_t>(1024, 2 * lists.size());
  }
  lists.emplace(hash, list);
}

void object_sharing::share(messages::pod_spec& spec) {
  containers_.share(spec.containers);
  volumes_.share(spec.volumes);
}

void object_sharing::share(messages::any_object& object) {
  if (auto* p = std::get_if<messages::pod>(&object))
    share(p->spec);
  else if (auto* rc = std::get_if<messages::replication_controller>(&object);
           rc && rc->spec.template_)
    share(rc->spec.template_->spec);
}

std::size_t object_sharing::distinct_lists() const {
  return containers_.lists.size() + volumes_.lists.size();
}

}  // namespace capstan::store
