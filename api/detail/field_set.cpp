// Field path sets: element order, set algebra, printed paths.
#include "api/detail/field_set.hpp"

#include "api/detail/smd_values.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

namespace {

// A scalar the way SMD prints it in a path: strings quoted, numbers and booleans bare.
std::string value_text(const json& v) {
  return v.dump();
}

}  // namespace

int compare(const path_element& a, const path_element& b) {
  if (a.type != b.type)
    return a.type < b.type ? -1 : 1;
  switch (a.type) {
    case path_element::field:
      return a.name < b.name ? -1 : a.name == b.name ? 0 : 1;
    case path_element::key: {
      // SMD FieldList order: fewer fields first, then field by field, name before value.
      if (a.data.size() != b.data.size())
        return a.data.size() < b.data.size() ? -1 : 1;
      auto x = a.data.begin(), y = b.data.begin();
      for (; x != a.data.end(); ++x, ++y) {
        if (x.key() != y.key())
          return x.key() < y.key() ? -1 : 1;
        if (int c = compare_values(*x, *y))
          return c;
      }
      return 0;
    }
    case path_element::value:
      return compare_values(a.data, b.data);
    case path_element::index:
      return a.position < b.position ? -1 : a.position == b.position ? 0 : 1;
  }
  return 0;
}

bool empty(const field_set& s) {
  return s.children.empty();
}

void insert(field_set& root, const path& p) {
  field_set* node = &root;
  for (const auto& e : p)
    node = &node->children[e];
  node->member = true;
}

void unite(field_set& a, const field_set& b) {
  a.member = a.member || b.member;
  for (const auto& [e, child] : b.children)
    unite(a.children[e], child);
}

field_set united(const field_set& a, const field_set& b) {
  field_set out = a;
  unite(out, b);
  return out;
}

field_set difference(const field_set& a, const field_set& b) {
  field_set out;
  out.member = a.member && !b.member;
  for (const auto& [e, child] : a.children) {
    auto it = b.children.find(e);
    if (it == b.children.end()) {
      out.children.emplace(e, child);
      continue;
    }
    field_set d = difference(child, it->second);
    if (d.member || !d.children.empty())
      out.children.emplace(e, std::move(d));
  }
  return out;
}

field_set intersection(const field_set& a, const field_set& b) {
  field_set out;
  out.member = a.member && b.member;
  for (const auto& [e, child] : a.children) {
    auto it = b.children.find(e);
    if (it == b.children.end())
      continue;
    field_set i = intersection(child, it->second);
    if (i.member || !i.children.empty())
      out.children.emplace(e, std::move(i));
  }
  return out;
}

std::string path_text(const path& p) {
  std::string out;
  for (const auto& e : p) {
    switch (e.type) {
      case path_element::field:
        out += "." + e.name;
        break;
      case path_element::key: {
        out += "[";
        bool first = true;
        for (auto it = e.data.begin(); it != e.data.end(); ++it) {
          out += (first ? "" : ",") + it.key() + "=" + value_text(*it);
          first = false;
        }
        out += "]";
        break;
      }
      case path_element::value:
        out += "[=" + value_text(e.data) + "]";
        break;
      case path_element::index:
        out += "[" + std::to_string(e.position) + "]";
        break;
    }
  }
  return out;
}

}  // namespace capstan::api::detail
