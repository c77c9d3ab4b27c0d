// Sets of field paths, the core of field ownership (structured-merge-diff's fieldpath.Set): a path
// is a list of elements (field name, list key, value, index); a set is a tree of them whose
// nodes say whether the path to them is itself a member. Set algebra, iteration in SMD's order,
// and paths printed as Kubernetes prints them. Detail of api/managed_fields.cpp. Pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "messages/json_codec.hpp"

namespace capstan::api::detail {

struct path_element {
  enum type_t : uint8_t { field = 0, key = 1, value = 2, index = 3 };
  type_t type = field;
  std::string name;      // field
  messages::json data;   // key: the key fields as an object sorted by name; value: the value
  int64_t position = 0;  // index

  static path_element of_field(std::string n) {
    path_element e;
    e.name = std::move(n);
    return e;
  }
};

// SMD's element order: by type (field < key < value < index), then by content. -1, 0 or 1.
int compare(const path_element& a, const path_element& b);

struct element_less {
  bool operator()(const path_element& a, const path_element& b) const { return compare(a, b) < 0; }
};

using path = std::vector<path_element>;

// A set of paths as a tree. A node stands for the path from the root to it; `member` says
// whether that path is itself in the set (the root's flag is unused). No node is empty except
// transiently: every function below returns pruned trees.
struct field_set {
  bool member = false;
  std::map<path_element, field_set, element_less> children;
};

// Whether the set has no path.
bool empty(const field_set& s);
// Adds path `p`.
void insert(field_set& root, const path& p);
// a |= b.
void unite(field_set& a, const field_set& b);
// a | b.
field_set united(const field_set& a, const field_set& b);
// Paths in `a` that are not in `b` (exact paths: a member of `b` does not take its subtree).
field_set difference(const field_set& a, const field_set& b);
// Paths in both.
field_set intersection(const field_set& a, const field_set& b);

// Calls `f` on every path of the set in SMD's order: at each level the members first, in
// element order, then the subtrees, in element order.
template <class F>
void for_each_path(const field_set& s, path& prefix, F&& f) {
  for (const auto& [e, child] : s.children)
    if (child.member) {
      prefix.push_back(e);
      f(static_cast<const path&>(prefix));
      prefix.pop_back();
    }
  for (const auto& [e, child] : s.children)
    if (!child.children.empty()) {
      prefix.push_back(e);
      for_each_path(child, prefix, f);
      prefix.pop_back();
    }
}

// `.spec.containers[name="nginx"].image`, as Kubernetes prints a path in a conflict.
std::string path_text(const path& p);

}  // namespace capstan::api::detail
