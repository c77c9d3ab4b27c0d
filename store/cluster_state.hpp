// The materialized cluster: every object by kind, namespace and name, as of a sequence number.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "messages/objects.hpp"
#include "store/object_sharing.hpp"

namespace capstan::store {

using messages::any_object;
using messages::object_kind;

struct object_key {
  std::string namespace_;  // empty for cluster-scoped kinds
  std::string name;
  friend bool operator<(const object_key& a, const object_key& b) {
    return a.namespace_ != b.namespace_ ? a.namespace_ < b.namespace_ : a.name < b.name;
  }
  friend bool operator==(const object_key& a, const object_key& b) {
    return a.namespace_ == b.namespace_ && a.name == b.name;
  }
  friend bool operator!=(const object_key& a, const object_key& b) {
    return !(a == b);
  }
  // "namespace/name", or "name" for cluster-scoped objects: for logs and messages only.
  std::string to_string() const {
    return namespace_.empty() ? name : namespace_ + "/" + name;
  }
};

// Plain data; only apply() (store/apply.hpp) changes it. Not thread-safe.
struct cluster_state {
  using table = std::map<object_key, any_object>;

  uint64_t seq = 0;  // the last record applied
  std::array<table, messages::object_kind_count> tables;
  // Equal parts of the objects in `tables`, held once (apply() and load_object() share them).
  object_sharing sharing;

  table& of(object_kind kind) { return tables[static_cast<std::size_t>(kind)]; }
  const table& of(object_kind kind) const { return tables[static_cast<std::size_t>(kind)]; }

  const any_object* find(object_kind kind, const object_key& key) const;
  template <class T>
  const T* find(const object_key& key) const {
    auto* o = find(messages::kind_of<T>(), key);
    return o ? std::get_if<T>(o) : nullptr;
  }
  std::size_t size() const;
  // Every object, kind by kind in key order (the snapshot's content).
  std::vector<const any_object*> all_objects() const;
};

}  // namespace capstan::store

template <>
struct std::hash<capstan::store::object_key> {
  std::size_t operator()(const capstan::store::object_key& key) const noexcept {
    std::size_t h = std::hash<std::string>{}(key.namespace_);
    return h ^ (std::hash<std::string>{}(key.name) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};
