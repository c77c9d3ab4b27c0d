#include "store/cluster_state.hpp"

namespace capstan::store {

const any_object* cluster_state::find(object_kind kind, const object_key& key) const {
  const auto& t = of(kind);
  auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

std::size_t cluster_state::size() const {
  std::size_t n = 0;
  for (const auto& t : tables)
    n += t.size();
  return n;
}

std::vector<const any_object*> cluster_state::all_objects() const {
  std::vector<const any_object*> out;
  out.reserve(size());
  for (const auto& t : tables)
    for (const auto& [key, object] : t)
      out.push_back(&object);
  return out;
}

}  // namespace capstan::store
