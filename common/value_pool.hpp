// Equal values held once. Many holders of one value (the pods of one RC and their labels) each
// keep a pointer to the pool's copy instead of a copy of their own.
//
// Contract: hold() returns a pointer to the pool's value equal to `value`, stable until every
// hold of it was released; each hold() is matched by one release() of the pointer it returned
// (the value is freed with its last release). Lookups compare values (T needs operator<): a
// pool of k distinct values costs O(log k) comparisons per call. Not thread-safe.
#pragma once

#include <cstddef>
#include <map>

namespace capstan::common {

template <class T>
class value_pool {
public:
  const T* hold(const T& value) {
    auto [it, added] = held_.try_emplace(value, 0);
    ++it->second;
    return &it->first;
  }
  void release(const T* value) {
    if (value == nullptr)
      return;
    auto it = held_.find(*value);
    if (it != held_.end() && &it->first == value && --it->second == 0)
      held_.erase(it);
  }
  // Distinct values held.
  std::size_t size() const { return held_.size(); }

private:
  std::map<T, std::size_t> held_;  // value -> its holds (nodes never move)
};

}  // namespace capstan::common
