// structured-merge-diff's typed operations over (schema, JSON value).
#include "api/detail/smd_walkers.hpp"

#include <deque>
#include <map>
#include <utility>

#include "api/detail/smd_values.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

namespace {

// The path element of a keyed list's item, or why it has none (SMD's wording).
std::optional<path_element> item_element(const schema_node& list, const json& item,
                                         std::string* why = nullptr) {
  if (!item.is_object()) {
    if (why)
      *why = item.is_null() ? "associative list with keys may not have a null element"
                            : "associative list with keys may not have non-map elements";
    return std::nullopt;
  }
  path_element e;
  e.type = path_element::key;
  e.data = json::object();
  for (const auto& k : list.keys) {  // sorted by name
    if (const json* v = member(item, k.name))
      e.data[k.name] = *v;
    else if (!k.default_value.is_null())
      e.data[k.name] = k.default_value;
  }
  if (e.data.empty()) {
    if (why) {
      std::string names;
      for (const auto& k : list.keys)
        names += (names.empty() ? "" : " ") + json(k.name).dump();
      *why = "associative list with keys has an element that omits all key fields [" + names +
             "] (and doesn't have default values for any key fields)";
    }
    return std::nullopt;
  }
  return e;
}

// The fields a value sets, as SMD's ToFieldSet counts them: leaves, atomic values, list items
// (with "."), map keys, and struct fields whose value is null or {}. `node` is v's own node.
void collect_fields(const schema_node* s, const json& v, field_set& node) {
  if (!s || s->kind == shape::scalar || s->kind == shape::atomic) {
    node.member = true;
    return;
  }
  if (s->kind == shape::keyed_list) {
    if (!v.is_array())
      return;
    for (const auto& item : v) {
      auto e = item_element(*s, item);
      if (!e)
        continue;
      field_set& child = node.children[*e];
      collect_fields(s->element, item, child);
      child.member = true;
    }
    return;
  }
  if (!v.is_object())
    return;
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto e = path_element::of_field(it.key());
    field_set& child = node.children[e];
    collect_fields(s->child(it.key()), *it, child);
    if (it->is_null() || (it->is_object() && it->empty()) || !s->declares(it.key()))
      child.member = true;
    if (!child.member && child.children.empty())
      node.children.erase(e);
  }
}

// SMD EnsureNamedFieldsAreMembers: a struct field with owned paths below it counts as owned
// itself (map keys and list items do not), so that pruning can tell "nobody owns anything
// here" from "someone owns something inside".
void ensure_named_fields(const schema_node* s, field_set& node) {
  for (auto& [e, child] : node.children) {
    const schema_node* c = nullptr;
    if (s && e.type == path_element::field && (s->kind == shape::record || s->kind == shape::map)) {
      c = s->child(e.name);
      if (s->declares(e.name) && !child.children.empty())
        child.member = true;
    } else if (s && s->kind == shape::keyed_list && e.type == path_element::key) {
      c = s->element;
    }
    ensure_named_fields(c, child);
  }
}

// SMD's compare: leaves (scalars, atomic values, empty maps and lists) are added, removed or
// modified; a map, struct or list that appears or disappears is added or removed itself too.
// A null pointer is an absent value.
void compare_at(const schema_node* s, const json* l, const json* r, path& at, comparison& out) {
  auto leaf = [&] {
    if (!l)
      insert(out.added, at);
    else if (!r)
      insert(out.removed, at);
    else if (!same_value(*l, *r))
      insert(out.modified, at);
  };
  if (!s || s->kind == shape::scalar || s->kind == shape::atomic) {
    leaf();
    return;
  }
  if (s->kind == shape::keyed_list) {
    const json* la = l && l->is_array() ? l : nullptr;
    const json* ra = r && r->is_array() ? r : nullptr;
    if ((!la || la->empty()) && (!ra || ra->empty())) {
      leaf();
      return;
    }
    // Items by key, in order of first appearance (left, then right-only); duplicates kept.
    std::map<path_element, std::pair<std::vector<const json*>, std::vector<const json*>>,
             element_less>
        items;
    std::vector<path_element> order;
    auto index = [&](const json* list, bool left) {
      if (!list)
        return;
      for (const auto& item : *list) {
        auto e = item_element(*s, item);
        if (!e)
          continue;
        auto [it, fresh] = items.try_emplace(*e);
        if (fresh)
          order.push_back(*e);
        (left ? it->second.first : it->second.second).push_back(&item);
      }
    };
    index(la, true);
    index(ra, false);
    for (const auto& e : order) {
      const auto& [ls, rs] = items[e];
      at.push_back(e);
      if (ls.size() <= 1 && rs.size() <= 1) {
        compare_at(s->element, ls.empty() ? nullptr : ls[0], rs.empty() ? nullptr : rs[0], at, out);
      } else if (ls.size() >= 2 && rs.size() >= 2) {
        bool same = ls.size() == rs.size();
        for (std::size_t i = 0; same && i < ls.size(); ++i)
          same = same_value(*ls[i], *rs[i]);
        if (!same)
          insert(out.modified, at);
      } else if (ls.size() >= 2) {
        if (!rs.empty())
          compare_at(s->element, nullptr, rs[0], at, out);
        insert(out.removed, at);
      } else {
        if (!ls.empty())
          compare_at(s->element, ls[0], nullptr, at, out);
        insert(out.added, at);
      }
      at.pop_back();
    }
  } else {
    const json* lo = l && l->is_object() ? l : nullptr;
    const json* ro = r && r->is_object() ? r : nullptr;
    if ((!lo || lo->empty()) && (!ro || ro->empty())) {
      leaf();
      return;
    }
    auto visit = [&](const std::string& k, const json* lv, const json* rv) {
      at.push_back(path_element::of_field(k));
      compare_at(s->child(k), lv, rv, at, out);
      at.pop_back();
    };
    if (lo)
      for (auto it = lo->begin(); it != lo->end(); ++it)
        visit(it.key(), &*it, ro ? member(*ro, it.key()) : nullptr);
    if (ro)
      for (auto it = ro->begin(); it != ro->end(); ++it)
        if (!lo || !member(*lo, it.key()))
          visit(it.key(), nullptr, &*it);
  }
  if (!l)
    insert(out.added, at);
  else if (!r)
    insert(out.removed, at);
}

}  // namespace

void check_config(const schema_node& s, const json& v, path& at, std::vector<std::string>& out) {
  auto report = [&](const std::string& what) {
    out.push_back((at.empty() ? std::string(".") : path_text(at)) + ": " + what);
  };
  if (v.is_null())
    return;
  switch (s.kind) {
    case shape::scalar:
    case shape::atomic:
      return;
    case shape::record:
    case shape::map:
      if (!v.is_object()) {
        report("expected map, got " + v.dump());
        return;
      }
      for (auto it = v.begin(); it != v.end(); ++it) {
        at.push_back(path_element::of_field(it.key()));
        if (const schema_node* c = s.child(it.key()))
          check_config(*c, *it, at, out);
        else
          report("field not declared in schema");
        at.pop_back();
      }
      return;
    case shape::keyed_list: {
      if (!v.is_array()) {
        report("expected list, got " + v.dump());
        return;
      }
      std::map<path_element, bool, element_less> seen;
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::string why;
        auto e = item_element(s, v[i], &why);
        if (!e) {
          report("element " + std::to_string(i) + ": " + why);
          continue;
        }
        if (!seen.emplace(*e, true).second) {
          report("duplicate entries for key " + path_text({*e}));
          continue;
        }
        at.push_back(*e);
        check_config(*s.element, v[i], at, out);
        at.pop_back();
      }
      return;
    }
  }
}

field_set fields_of(const schema_node& s, const json& v) {
  field_set out;
  collect_fields(&s, v, out);
  out.member = false;
  return out;
}

field_set with_named_fields(const schema_node& s, field_set set) {
  ensure_named_fields(&s, set);
  return set;
}

comparison compare_objects(const schema_node& s, const json& l, const json& r) {
  comparison out;
  path at;
  compare_at(&s, &l, &r, at, out);
  return out;
}

std::optional<json> merge_at(const schema_node* s, const json* l, const json* r) {
  if (!r)
    return l ? std::optional<json>(*l) : std::nullopt;
  if (!l || !s || s->kind == shape::scalar || s->kind == shape::atomic)
    return *r;
  if (s->kind == shape::keyed_list) {
    const json* la = l->is_array() ? l : nullptr;
    const json* ra = r->is_array() ? r : nullptr;
    if ((!la || la->empty()) && (!ra || ra->empty()))
      return *r;
    struct item {
      path_element e;
      const json* value;
    };
    std::vector<item> left, right;
    // First item of each key; nullptr marks a key that repeats on the left.
    std::map<path_element, const json*, element_less> seen_left, seen_right;
    if (la)
      for (const auto& v : *la)
        if (auto e = item_element(*s, v)) {
          auto [it, fresh] = seen_left.try_emplace(*e, &v);
          if (!fresh)
            it->second = nullptr;
          left.push_back({*e, &v});
        }
    if (ra)
      for (const auto& v : *ra)
        if (auto e = item_element(*s, v)) {
          if (seen_right.try_emplace(*e, &v).second)
            right.push_back({*e, &v});
        }
    auto left_value = [&](const path_element& e) -> const json* {
      auto it = seen_left.find(e);
      return it == seen_left.end() ? nullptr : it->second;
    };
    std::deque<path_element> shared;
    for (const auto& i : right)
      if (seen_left.count(i.e))
        shared.push_back(i.e);
    std::optional<path_element> next_shared;
    auto advance_shared = [&] {
      next_shared.reset();
      if (!shared.empty()) {
        next_shared = shared.front();
        shared.pop_front();
      }
    };
    advance_shared();
    std::map<path_element, bool, element_less> merged_right;
    json out = json::array();
    auto emit = [&](const json* lv, const json* rv) {
      if (auto v = merge_at(s->element, lv, rv))
        out.push_back(std::move(*v));
    };
    std::size_t li = 0, ri = 0;
    while (li < left.size() || ri < right.size()) {
      if (li < left.size() && ri < right.size()) {
        const path_element& e = left[li].e;
        if (compare(e, right[ri].e) == 0) {
          merged_right[e] = true;
          emit(left_value(e), right[ri].value);
          ++li;
          ++ri;
          advance_shared();
          continue;
        }
        if (seen_right.count(e) && next_shared && compare(*next_shared, e) != 0) {
          ++li;  // a shared item, placed when the right side reaches it
          continue;
        }
      }
      if (li < left.size()) {
        const path_element& e = left[li].e;
        if (!seen_right.count(e)) {
          emit(left[li].value, nullptr);
          ++li;
          continue;
        }
        if (merged_right.count(e))
          ++li;
      }
      if (ri < right.size()) {
        const path_element& e = right[ri].e;
        merged_right[e] = true;
        emit(left_value(e), right[ri].value);
        ++ri;
        if (next_shared && compare(*next_shared, e) == 0)
          advance_shared();
      }
    }
    if (out.empty())
      return std::nullopt;
    return out;
  }
  const json* lo = l->is_object() ? l : nullptr;
  const json* ro = r->is_object() ? r : nullptr;
  if ((!lo || lo->empty()) && (!ro || ro->empty()))
    return *r;
  json out = json::object();
  if (lo)
    for (auto it = lo->begin(); it != lo->end(); ++it)
      if (auto v = merge_at(s->child(it.key()), &*it, ro ? member(*ro, it.key()) : nullptr))
        out[it.key()] = std::move(*v);
  if (ro)
    for (auto it = ro->begin(); it != ro->end(); ++it)
      if (!lo || !member(*lo, it.key()))
        out[it.key()] = *it;
  if (out.empty())
    return std::nullopt;
  return out;
}

std::optional<json> remove_at(const schema_node* s, const json& v, const field_set& node) {
  if (!s || s->kind == shape::scalar || s->kind == shape::atomic)
    return v;
  if (s->kind == shape::keyed_list) {
    if (!v.is_array() || v.empty())
      return v;
    json out = json::array();
    for (const auto& item : v) {
      auto e = item_element(*s, item);
      auto it = e ? node.children.find(*e) : node.children.end();
      if (it == node.children.end()) {
        out.push_back(item);
      } else if (!it->second.member) {
        if (auto kept = remove_at(s->element, item, it->second))
          out.push_back(std::move(*kept));
      }
    }
    if (out.empty())
      return std::nullopt;
    return out;
  }
  if (!v.is_object() || v.empty())
    return v;
  json out = json::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto found = node.children.find(path_element::of_field(it.key()));
    if (found == node.children.end()) {
      out[it.key()] = *it;
    } else if (!found->second.member) {
      auto kept = remove_at(s->child(it.key()), *it, found->second);
      out[it.key()] = kept ? std::move(*kept) : json(nullptr);
    }
  }
  if (out.empty())
    return std::nullopt;
  return out;
}

}  // namespace capstan::api::detail
