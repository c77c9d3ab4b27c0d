#include "api/managed_fields.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <optional>
#include <string_view>

#include "messages/json_input.hpp"
#include "messages/detail/type_traits.hpp"
#include "messages/validation.hpp"

// How this works (the model is sigs.k8s.io/structured-merge-diff, which Kubernetes uses):
// a field set is a tree of path elements (field name, list key, value, index) whose nodes say
// whether the path to them is itself a member of the set; FieldsV1 is that tree as JSON.
// Walkers over (schema, JSON value) compute an object's field set, compare two objects
// (added, modified, removed paths), merge a configuration into an object, and remove the
// subtrees a set names. apply() and record_update() combine them as SMD's Updater does.

namespace capstan::api {

namespace {

namespace m = messages;
using m::json;

// ---- schema ---------------------------------------------------------------------------------

enum class shape : uint8_t {
  scalar,      // a leaf value
  atomic,      // a list, map or struct owned and replaced whole
  record,      // a struct: its declared fields owned one by one
  map,         // free keys (labels): each key owned on its own
  keyed_list,  // x-kubernetes-list-type=map: elements identified by their key fields
};

struct key_field {
  std::string name;
  json default_value;  // null: none
};

struct schema_node {
  shape kind = shape::scalar;
  std::vector<std::pair<std::string, const schema_node*>> fields;  // record
  const schema_node* element = nullptr;                            // map values, list elements
  std::vector<key_field> keys;                                     // keyed_list, sorted by name

  // The schema of member `name`; nullptr when a record does not declare it.
  const schema_node* child(const std::string& name) const {
    if (kind == shape::map)
      return element;
    for (const auto& [n, s] : fields)
      if (n == name)
        return s;
    return nullptr;
  }
  bool declares(const std::string& name) const {
    return kind == shape::record && child(name) != nullptr;
  }
};

const schema_node scalar_node{shape::scalar, {}, nullptr, {}};
const schema_node atomic_node{shape::atomic, {}, nullptr, {}};
const schema_node scalar_map_node{shape::map, {}, &scalar_node, {}};

// Merge keys of list element types, as core/v1 declares them (x-kubernetes-list-map-keys);
// lists of any other element type are atomic.
template <class T>
std::vector<key_field> list_keys() {
  return {};
}
template <>
std::vector<key_field> list_keys<m::container>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::volume>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::env_var>() {
  return {{"name", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::volume_mount>() {
  return {{"mountPath", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::container_port>() {
  return {{"containerPort", nullptr}, {"protocol", "TCP"}};
}
template <>
std::vector<key_field> list_keys<m::service_port>() {
  return {{"port", nullptr}, {"protocol", "TCP"}};
}
template <>
std::vector<key_field> list_keys<m::owner_reference>() {
  return {{"uid", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::pod_condition>() {
  return {{"type", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::node_condition>() {
  return {{"type", nullptr}};
}
template <>
std::vector<key_field> list_keys<m::node_address>() {
  return {{"type", nullptr}};
}

// Structs core/v1 marks +structType=atomic.
template <class T>
inline constexpr bool atomic_struct = false;
template <>
inline constexpr bool atomic_struct<m::owner_reference> = true;
template <>
inline constexpr bool atomic_struct<m::object_reference> = true;
template <>
inline constexpr bool atomic_struct<m::object_field_selector> = true;

template <class T>
const schema_node* schema_of();

// Maps core/v1 marks +mapType=atomic: the RC and service selectors and a pod's nodeSelector.
template <class V>
const schema_node* field_schema(std::string_view name) {
  if constexpr (std::is_same_v<V, m::string_map>)
    return name == "selector" || name == "nodeSelector" ? &atomic_node : &scalar_map_node;
  else
    return schema_of<V>();
}

struct schema_builder {
  schema_node& node;
  template <class V>
  void operator()(const char* name, V&) {
    node.fields.emplace_back(name, field_schema<V>(name));
  }
  template <class V>
  void always(const char* name, V& v) {
    (*this)(name, v);
  }
};

// The schema of C++ type T, derived from its field list once. Thread-safe.
template <class T>
const schema_node* schema_of() {
  using m::detail::is_optional;
  using m::detail::is_vector;
  if constexpr (is_optional<T>::value) {
    return schema_of<typename T::value_type>();
  } else if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                       std::is_same_v<T, m::quantity> || std::is_same_v<T, m::timestamp> ||
                       std::is_same_v<T, m::int_or_string>) {
    return &scalar_node;
  } else if constexpr (std::is_same_v<T, m::raw_json_object>) {
    return &atomic_node;
  } else if constexpr (std::is_same_v<T, m::string_map> || std::is_same_v<T, m::resource_list>) {
    return &scalar_map_node;
  } else if constexpr (is_vector<T>::value) {
    using element = typename T::value_type;
    if constexpr (std::is_same_v<element, std::string>) {
      return &atomic_node;
    } else {
      static const schema_node node = [] {
        auto keys = list_keys<element>();
        if (keys.empty())
          return schema_node{shape::atomic, {}, nullptr, {}};
        std::sort(keys.begin(), keys.end(),
                  [](const key_field& a, const key_field& b) { return a.name < b.name; });
        return schema_node{shape::keyed_list, {}, schema_of<element>(), std::move(keys)};
      }();
      return &node;
    }
  } else if constexpr (atomic_struct<T>) {
    return &atomic_node;
  } else {
    static const schema_node node = [] {
      schema_node n{shape::record, {}, nullptr, {}};
      schema_builder builder{n};
      T probe{};
      fields(builder, probe);
      return n;
    }();
    return &node;
  }
}

// The schema of a whole object of `kind`, apiVersion and kind included.
const schema_node* kind_schema(m::object_kind kind) {
  static const std::array<schema_node, m::object_kind_count> nodes = [] {
    std::array<schema_node, m::object_kind_count> out;
    for (std::size_t k = 0; k < m::object_kind_count; ++k) {
      m::any_object probe = m::make_object(static_cast<m::object_kind>(k));
      std::visit(
          [&](auto& o) {
            out[k] = *schema_of<std::decay_t<decltype(o)>>();
            out[k].fields.emplace_back("apiVersion", &scalar_node);
            out[k].fields.emplace_back("kind", &scalar_node);
          },
          probe);
    }
    return out;
  }();
  return &nodes[static_cast<std::size_t>(kind)];
}

// ---- JSON values ----------------------------------------------------------------------------

const json* member(const json& object, const std::string& name) {
  if (!object.is_object())
    return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// Deep equality with objects compared as key sets (ordered_json compares key order too).
// `ignore_nulls`: a null member equals an absent one.
bool same_value(const json& a, const json& b, bool ignore_nulls = false) {
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (ignore_nulls && it->is_null())
        continue;
      const json* other = member(b, it.key());
      if (!other || !same_value(*it, *other, ignore_nulls))
        return false;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!(ignore_nulls && it->is_null()) && !member(a, it.key()))
        return false;
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size())
      return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i], ignore_nulls))
        return false;
    return true;
  }
  return a == b;
}

// SMD's value order: numbers < strings < booleans < lists < maps < null.
int type_rank(const json& v) {
  if (v.is_number())
    return 0;
  if (v.is_string())
    return 1;
  if (v.is_boolean())
    return 2;
  if (v.is_array())
    return 3;
  if (v.is_object())
    return 4;
  return 5;
}

int compare_values(const json& a, const json& b) {
  int ra = type_rank(a), rb = type_rank(b);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      if (a.is_number_integer() && b.is_number_integer() && !a.is_number_unsigned() &&
          !b.is_number_unsigned()) {
        auto x = a.get<int64_t>(), y = b.get<int64_t>();
        return x < y ? -1 : x > y ? 1 : 0;
      } else {
        auto x = a.get<double>(), y = b.get<double>();
        return x < y ? -1 : x > y ? 1 : 0;
      }
    case 1: {
      int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case 2:
      return a.get<bool>() == b.get<bool>() ? 0 : a.get<bool>() ? 1 : -1;
    case 3:
      for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (int c = compare_values(a[i], b[i]))
          return c;
      return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    case 4: {
      std::string x = a.dump(), y = b.dump();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    default:
      return 0;
  }
}

// A copy of an object without metadata.managedFields.
json without_managed_fields(const json& object) {
  json copy = object;
  if (copy.is_object()) {
    auto meta = copy.find("metadata");
    if (meta != copy.end() && meta->is_object())
      meta->erase("managedFields");
  }
  return copy;
}

// ---- paths and field sets -------------------------------------------------------------------

struct path_element {
  enum type_t : uint8_t { field = 0, key = 1, value = 2, index = 3 };
  type_t type = field;
  std::string name;      // field
  json data;             // key: the key fields as an object sorted by name; value: the value
  int64_t position = 0;  // index

  static path_element of_field(std::string n) {
    path_element e;
    e.name = std::move(n);
    return e;
  }
};

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

// Paths in `a` that are not in `b` (exact paths: a member of `b` does not take its subtree).
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

// A scalar the way SMD prints it in a path: strings quoted, numbers and booleans bare.
std::string value_text(const json& v) {
  return v.dump();
}

// `.spec.containers[name="nginx"].image`, as Kubernetes prints a path in a conflict.
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

// ---- FieldsV1 -------------------------------------------------------------------------------

std::string fields_v1_key(const path_element& e) {
  switch (e.type) {
    case path_element::field:
      return "f:" + e.name;
    case path_element::key:
      return "k:" + e.data.dump();
    case path_element::value:
      return "v:" + e.data.dump();
    case path_element::index:
      return "i:" + std::to_string(e.position);
  }
  return {};
}

std::optional<path_element> parse_fields_v1_key(const std::string& k) {
  if (k.size() < 2 || k[1] != ':')
    return std::nullopt;
  std::string rest = k.substr(2);
  path_element e;
  switch (k[0]) {
    case 'f':
      e.name = std::move(rest);
      return e;
    case 'k': {
      json parsed = json::parse(rest, nullptr, false);
      if (!parsed.is_object() || parsed.empty())
        return std::nullopt;
      std::map<std::string, json> sorted;
      for (auto it = parsed.begin(); it != parsed.end(); ++it)
        sorted.emplace(it.key(), *it);
      e.type = path_element::key;
      e.data = json::object();
      for (auto& [name, v] : sorted)
        e.data[name] = std::move(v);
      return e;
    }
    case 'v': {
      json parsed = json::parse(rest, nullptr, false);
      if (parsed.is_discarded())
        return std::nullopt;
      e.type = path_element::value;
      e.data = std::move(parsed);
      return e;
    }
    case 'i':
      try {
        std::size_t used = 0;
        e.position = std::stoll(rest, &used);
        if (used != rest.size())
          return std::nullopt;
      } catch (const std::exception&) {
        return std::nullopt;
      }
      e.type = path_element::index;
      return e;
    default:
      return std::nullopt;
  }
}

// Keys are distinct (a set's elements, "." apart): members are appended directly, since
// ordered_json's operator[] searches linearly (10,000 labels made that 50 million compares).
// `with_dot`: the set's owner is itself a member, written first as ".".
json to_fields_v1(const field_set& s, bool with_dot = false) {
  json out = json::object();
  auto& members = out.get_ref<json::object_t&>();
  members.reserve(s.children.size() + (with_dot ? 1 : 0));
  if (with_dot)
    members.emplace_back(".", json::object());
  for (const auto& [e, child] : s.children)
    members.emplace_back(fields_v1_key(e),
                         to_fields_v1(child, child.member && !child.children.empty()));
  return out;
}

// A stored FieldsV1 text as a tree (bounded and linear: parse_json_input); a damaged one reads
// as empty.
json parsed_fields_v1(const std::string& text) {
  auto parsed = messages::parse_json_input(text, {text.size() + 1, 1000});
  auto* tree = std::get_if<json>(&parsed);
  return tree ? std::move(*tree) : json::object();
}

// Reads a FieldsV1 object; keys that are no path element are skipped (validation refuses them
// on input; this only guards against damaged records).
field_set from_fields_v1(const json& j) {
  field_set out;
  if (!j.is_object())
    return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "." || !it->is_object())
      continue;
    auto e = parse_fields_v1_key(it.key());
    if (!e)
      continue;
    field_set child = from_fields_v1(*it);
    child.member = it->empty() || it->contains(".");
    if (child.member || !child.children.empty())
      unite(out.children[*e], child);
  }
  return out;
}

// ---- walkers over (schema, value) -----------------------------------------------------------

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

// Problems that stop a configuration from being read with the schema, SMD's wording
// (`.spec.foo: field not declared in schema`).
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

field_set fields_of(const schema_node& s, const json& v) {
  field_set out;
  collect_fields(&s, v, out);
  out.member = false;
  return out;
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

field_set with_named_fields(const schema_node& s, field_set set) {
  ensure_named_fields(&s, set);
  return set;
}

struct comparison {
  field_set removed, modified, added;
};

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

comparison compare_objects(const schema_node& s, const json& l, const json& r) {
  comparison out;
  path at;
  compare_at(&s, &l, &r, at, out);
  return out;
}

// SMD's merge with the right side winning: structs and maps merge member by member, keyed
// lists item by item (live-only items keep their place, shared ones follow the right side's
// order), everything else is replaced. nullopt: absent.
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

// SMD RemoveItems: drops the subtree of every member of `node` (the part of the set below
// v's path). A struct or map left empty reads as null, as in SMD.
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

// ---- what no manager owns -------------------------------------------------------------------

// Removes from a set what no manager may own: apiVersion, kind and the metadata the server
// sets (Kubernetes' stripMeta, exact paths), and status for the main resource or everything
// but status for the status subresource (Kubernetes' reset fields, whole subtrees).
void drop_unownable(field_set& s, const std::string& subresource) {
  if (subresource == "status") {
    for (auto it = s.children.begin(); it != s.children.end();)
      it = it->first.type == path_element::field && it->first.name == "status"
               ? std::next(it)
               : s.children.erase(it);
    return;
  }
  auto drop_member = [](field_set& node, const std::string& name) {
    auto it = node.children.find(path_element::of_field(name));
    if (it == node.children.end())
      return;
    it->second.member = false;
    if (it->second.children.empty())
      node.children.erase(it);
  };
  s.children.erase(path_element::of_field("status"));
  drop_member(s, "apiVersion");
  drop_member(s, "kind");
  auto meta = s.children.find(path_element::of_field("metadata"));
  if (meta == s.children.end())
    return;
  for (const char* name : {"name", "namespace", "creationTimestamp", "selfLink", "uid",
                           "clusterName", "generation", "managedFields", "resourceVersion"})
    drop_member(meta->second, name);
  drop_member(s, "metadata");
}

void drop_unownable(comparison& c, const std::string& subresource) {
  drop_unownable(c.removed, subresource);
  drop_unownable(c.modified, subresource);
  drop_unownable(c.added, subresource);
}

// ---- managers -------------------------------------------------------------------------------

struct manager_entry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version = "v1";
  std::string subresource;
  m::timestamp time;
  field_set fields;

  bool same_manager(const manager_entry& o) const {
    return manager == o.manager && operation == o.operation && subresource == o.subresource &&
           (operation == "Apply" || api_version == o.api_version);
  }
  // Kubernetes' manager identifier (BuildManagerIdentifier): the entry's JSON without time
  // and fields, and without apiVersion for appliers. Conflicts are sorted by it.
  std::string identifier() const {
    json id = json::object();
    id["manager"] = manager;
    id["operation"] = operation;
    if (operation != "Apply" && !api_version.empty())
      id["apiVersion"] = api_version;
    if (!subresource.empty())
      id["subresource"] = subresource;
    return id.dump();
  }
  // How a conflict names the manager: `"kubectl-edit" using v1`.
  std::string printed() const {
    std::string out = json(manager).dump();
    if (!subresource.empty())
      out += " with subresource " + json(subresource).dump();
    if (operation == "Update")
      out += " using " + api_version;
    return out;
  }
};

// Entries with an unknown operation or fields type are dropped (validation refuses them);
// a repeated manager replaces the earlier entry, as Kubernetes decodes them.
std::vector<manager_entry> decode(const managed_fields& in) {
  std::vector<manager_entry> out;
  for (const auto& e : in) {
    if ((e.operation != "Apply" && e.operation != "Update") ||
        (!e.fields_type.empty() && e.fields_type != "FieldsV1"))
      continue;
    manager_entry d;
    d.manager = e.manager;
    d.operation = e.operation;
    d.api_version = e.api_version;
    d.subresource = e.subresource;
    d.time = e.time;
    if (!e.fields_v1.empty())
      d.fields = from_fields_v1(parsed_fields_v1(e.fields_v1.text));
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const manager_entry& o) { return o.same_manager(d); });
    if (same != out.end())
      *same = std::move(d);
    else
      out.push_back(std::move(d));
  }
  return out;
}

// Entries with fields, sorted as Kubernetes sorts them: Apply before Update, then by time,
// manager, apiVersion, subresource.
managed_fields encode(const std::vector<manager_entry>& entries) {
  managed_fields out;
  for (const auto& e : entries) {
    if (empty(e.fields))
      continue;
    m::managed_fields_entry x;
    x.manager = e.manager;
    x.operation = e.operation;
    x.api_version = e.api_version;
    x.time = e.time;
    x.fields_type = "FieldsV1";
    x.fields_v1.text = to_fields_v1(e.fields).dump();
    x.subresource = e.subresource;
    out.push_back(std::move(x));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& p, const auto& q) {
    return std::tie(p.operation, p.time.seconds, p.manager, p.api_version, p.subresource) <
           std::tie(q.operation, q.time.seconds, q.manager, q.api_version, q.subresource);
  });
  return out;
}

manager_entry& entry_for(std::vector<manager_entry>& entries, const manager_entry& who) {
  for (auto& e : entries)
    if (e.same_manager(who))
      return e;
  entries.push_back(who);
  return entries.back();
}

void drop_empty(std::vector<manager_entry>& entries) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const manager_entry& e) { return empty(e.fields); }),
                entries.end());
}

// Kubernetes' capManagersManager: beyond max_update_managers Update entries, the oldest merge
// into one "ancient-changes" entry that keeps the newest of their times.
void cap_update_managers(std::vector<manager_entry>& entries) {
  std::vector<std::size_t> updaters;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].operation == "Update")
      updaters.push_back(i);
  if (updaters.size() <= max_update_managers)
    return;
  std::sort(updaters.begin(), updaters.end(), [&](std::size_t a, std::size_t b) {
    return std::make_pair(entries[a].time.seconds, entries[a].identifier()) <
           std::make_pair(entries[b].time.seconds, entries[b].identifier());
  });
  manager_entry bucket_id;
  bucket_id.manager = "ancient-changes";
  bucket_id.operation = "Update";
  // Merge the oldest until the count fits; an existing bucket takes part.
  std::size_t excess = updaters.size() - max_update_managers;
  std::vector<std::size_t> merged(updaters.begin(), updaters.begin() + excess + 1);
  auto bucket = std::find_if(updaters.begin(), updaters.end(),
                             [&](std::size_t i) { return entries[i].same_manager(bucket_id); });
  if (bucket != updaters.end() && std::find(merged.begin(), merged.end(), *bucket) == merged.end())
    merged.back() = *bucket;
  manager_entry result = bucket_id;
  for (std::size_t i : merged) {
    unite(result.fields, entries[i].fields);
    result.time = std::max(result.time, entries[i].time);
  }
  std::sort(merged.rbegin(), merged.rend());
  for (std::size_t i : merged)
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
  entries.push_back(std::move(result));
}

// ---- apply helpers --------------------------------------------------------------------------

const std::string last_applied_annotation = "kubectl.kubernetes.io/last-applied-configuration";

json empty_object_of(m::object_kind kind) {
  return m::to_json(m::make_object(kind));
}

std::string group_version_kind(const json& config) {
  const json* v = member(config, "apiVersion");
  const json* k = member(config, "kind");
  std::string version = v && v->is_string() ? v->get<std::string>() : "";
  std::string kind = k && k->is_string() ? k->get<std::string>() : "";
  if (version.find('/') == std::string::npos)
    version = "/" + version;
  return version + ", Kind=" + kind;
}

std::string smd_errors_text(const std::vector<std::string>& errors) {
  if (errors.size() == 1)
    return errors[0];
  std::string out = "errors:";
  for (const auto& e : errors)
    out += "\n  " + e;
  return out;
}

std::optional<apply_error> config_problems(const schema_node& schema, const json& config) {
  std::vector<std::string> errors;
  path at;
  check_config(schema, config, at, errors);
  if (errors.empty())
    return std::nullopt;
  const json* meta = member(config, "metadata");
  auto text = [&](const char* name) {
    const json* v = meta ? member(*meta, name) : nullptr;
    return v && v->is_string() ? v->get<std::string>() : std::string();
  };
  return apply_error{"failed to create typed patch object (" + text("namespace") + "/" +
                     text("name") + "; " + group_version_kind(config) +
                     "): " + smd_errors_text(errors)};
}

const json* annotation(const json& object, const std::string& name) {
  const json* meta = member(object, "metadata");
  const json* annotations = meta ? member(*meta, "annotations") : nullptr;
  return annotations ? member(*annotations, name) : nullptr;
}

// Kubernetes' lastAppliedManager: the fields of the client-side last-applied-configuration
// whose values the live object still has; nullopt when there is no usable annotation.
std::optional<field_set> fields_still_last_applied(const schema_node& schema, const json& live) {
  const json* text = annotation(live, last_applied_annotation);
  if (!text || !text->is_string() || text->get_ref<const std::string&>().empty())
    return std::nullopt;
  json last = json::parse(text->get<std::string>(), nullptr, false);
  const json* version = member(last, "apiVersion");
  if (!last.is_object() || !version || *version != "v1" || config_problems(schema, last))
    return std::nullopt;
  comparison c = compare_objects(schema, last, live);
  return difference(difference(difference(fields_of(schema, last), c.modified), c.added),
                    c.removed);
}

// Kubernetes' lastAppliedUpdater: the annotation becomes the applied configuration (without
// the annotation itself), keys sorted, newline-terminated as Go's encoder writes it.
void rewrite_last_applied(json& object, const json& config) {
  json copy = config;
  if (auto meta = copy.find("metadata"); meta != copy.end() && meta->is_object())
    if (auto anns = meta->find("annotations"); anns != meta->end() && anns->is_object())
      anns->erase(last_applied_annotation);
  object["metadata"]["annotations"][last_applied_annotation] =
      nlohmann::json::parse(copy.dump()).dump() + "\n";
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

std::string apply_conflicts::message() const {
  if (conflicts.size() == 1)
    return "Apply failed with 1 conflict: conflict with " + conflicts[0].manager + ": " +
           conflicts[0].field;
  std::string out = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
  for (std::size_t i = 0; i < conflicts.size(); ++i) {
    if (i == 0 || conflicts[i].manager != conflicts[i - 1].manager)
      out += (i ? "\n" : "") + std::string("conflicts with ") + conflicts[i].manager + ":";
    out += "\n- " + conflicts[i].field;
  }
  return out;
}

apply_outcome apply(m::object_kind kind, const json* live, const managed_fields& managed,
                    const json& config, const std::string& manager, bool force, m::timestamp now) {
  const schema_node& schema = *kind_schema(kind);
  if (!config.is_object())
    return apply_error{"the applied configuration must be an object"};
  // Kubernetes' versionCheckManager: group, version and kind must be the resource's.
  const json* api_version = member(config, "apiVersion");
  const json* config_kind = member(config, "kind");
  if (!api_version || *api_version != "v1" || !config_kind ||
      *config_kind != std::string(m::info(kind).name))
    return apply_error{"invalid object type: " + group_version_kind(config)};
  if (const json* meta = member(config, "metadata"))
    if (const json* mf = member(*meta, "managedFields"); mf && !mf->is_null())
      return apply_error{"metadata.managedFields must be nil"};
  if (auto problem = config_problems(schema, config))
    return *problem;

  json applied = config;
  applied.erase("status");  // the main resource ignores status (Kubernetes' reset fields)
  json base = live ? without_managed_fields(*live) : empty_object_of(kind);

  std::vector<manager_entry> entries = decode(managed);
  if (live && entries.empty()) {
    // An object nobody has managed yet: its fields so far belong to "before-first-apply".
    comparison c = compare_objects(schema, empty_object_of(kind), base);
    drop_unownable(c, "");
    manager_entry before;
    before.manager = "before-first-apply";
    before.operation = "Update";
    before.time = now;
    before.fields = united(c.modified, c.added);
    if (!empty(before.fields))
      entries.push_back(std::move(before));
  }

  manager_entry me;
  me.manager = manager;
  me.operation = "Apply";
  field_set last = entry_for(entries, me).fields;
  field_set now_applied = fields_of(schema, applied);
  drop_unownable(now_applied, "");
  entry_for(entries, me).fields = now_applied;

  json merged = merge_at(&schema, &base, &applied).value_or(json::object());
  if (!empty(last)) {
    // Remove what this manager applied last time, applies no more, and nobody else owns.
    field_set owned;
    for (const auto& e : entries)
      unite(owned, e.fields);
    field_set gone = difference(intersection(with_named_fields(schema, fields_of(schema, merged)),
                                             with_named_fields(schema, last)),
                                with_named_fields(schema, owned));
    if (!empty(gone))
      merged = remove_at(&schema, merged, gone).value_or(json::object());
  }

  comparison c = compare_objects(schema, base, merged);
  drop_unownable(c, "");
  field_set changed = united(c.modified, c.added);
  struct taken {
    std::size_t entry;
    field_set fields;
  };
  std::vector<taken> conflicts;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].same_manager(me))
      continue;
    field_set clash = intersection(entries[i].fields, changed);
    if (!empty(clash))
      conflicts.push_back({i, std::move(clash)});
  }
  if (!conflicts.empty() && !force) {
    if (manager == "kubectl")
      if (auto allowed = fields_still_last_applied(schema, base)) {
        for (auto& t : conflicts)
          t.fields = difference(t.fields, *allowed);
        conflicts.erase(std::remove_if(conflicts.begin(), conflicts.end(),
                                       [](const taken& t) { return empty(t.fields); }),
                        conflicts.end());
      }
    if (!conflicts.empty()) {
      std::sort(conflicts.begin(), conflicts.end(), [&](const taken& a, const taken& b) {
        return entries[a.entry].identifier() < entries[b.entry].identifier();
      });
      apply_conflicts out;
      for (const auto& t : conflicts) {
        path at;
        for_each_path(t.fields, at, [&](const path& p) {
          out.conflicts.push_back({entries[t.entry].printed(), path_text(p)});
        });
      }
      return out;
    }
  }
  for (auto& e : entries)
    if (!e.same_manager(me))
      e.fields = difference(difference(e.fields, changed), c.removed);
  drop_empty(entries);

  // Kubernetes moves the applier's time only when the object changed.
  if (!same_value(base, merged, true))
    for (auto& e : entries)
      if (e.same_manager(me))
        e.time = now;
  if (manager == "kubectl" && annotation(merged, last_applied_annotation) &&
      annotation(merged, last_applied_annotation)->is_string() &&
      !annotation(merged, last_applied_annotation)->get_ref<const std::string&>().empty())
    rewrite_last_applied(merged, config);

  apply_result result;
  result.object_changed = !same_value(base, merged, true);
  result.object = std::move(merged);
  result.managed = encode(entries);
  return result;
}

managed_fields record_update(m::object_kind kind, const json* before, const json& after,
                             const managed_fields& managed, const std::string& manager,
                             const std::string& subresource, m::timestamp now) {
  std::vector<manager_entry> entries = decode(managed);
  // Kubernetes starts tracking an object at its creation or first apply, never on an update.
  if (before && entries.empty())
    return {};
  const schema_node& schema = *kind_schema(kind);
  comparison c =
      compare_objects(schema, before ? without_managed_fields(*before) : empty_object_of(kind),
                      without_managed_fields(after));
  drop_unownable(c, subresource);
  field_set gained = united(c.modified, c.added);
  for (auto& e : entries)
    e.fields = difference(difference(e.fields, gained), c.removed);
  drop_empty(entries);
  if (!empty(gained)) {
    manager_entry who;
    who.manager = manager.empty() ? "unknown" : manager;
    who.operation = "Update";
    who.subresource = subresource;
    manager_entry& mine = entry_for(entries, who);
    unite(mine.fields, gained);
    mine.time = now;
  }
  cap_update_managers(entries);
  return encode(entries);
}

std::variant<json, apply_error> fields_v1_of(m::object_kind kind, const json& object) {
  const schema_node& schema = *kind_schema(kind);
  json copy = without_managed_fields(object);
  if (auto problem = config_problems(schema, copy))
    return *problem;
  field_set s = fields_of(schema, copy);
  drop_unownable(s, "");
  return to_fields_v1(s);
}

m::field_errors validate_patch_options(bool apply_patch, const std::string& field_manager,
                                       bool force_given) {
  m::field_errors errors;
  if (apply_patch) {
    if (field_manager.empty())
      errors.push_back(m::required("fieldManager", "is required for apply patch"));
  } else if (force_given) {
    errors.push_back(m::forbidden("force", "may not be specified for non-apply patch"));
  }
  m::validate_field_manager(field_manager, "fieldManager", errors);
  return errors;
}

std::string invalid_patch_options_message(const m::field_errors& errors) {
  std::string out = "PatchOptions.meta.k8s.io \"\" is invalid";
  if (errors.empty())
    return out;
  out += ": ";
  if (errors.size() > 1)
    out += "[";
  for (std::size_t i = 0; i < errors.size(); ++i)
    out += (i ? ", " : "") + errors[i].to_string();
  if (errors.size() > 1)
    out += "]";
  return out;
}

std::string manager_or_user_agent(const std::string& field_manager, const std::string& user_agent) {
  if (!field_manager.empty())
    return field_manager;
  std::string prefix = user_agent.substr(0, user_agent.find('/'));
  std::string out;
  for (std::size_t i = 0; i < prefix.size();) {
    auto c = static_cast<unsigned char>(prefix[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 1;
    len = std::min(len, prefix.size() - i);
    // Only printable ASCII is taken from a header: anything else could be invalid UTF-8.
    bool printable = len == 1 && c >= 0x20 && c < 0x7f;
    if (printable) {
      if (out.size() + len > 128)
        break;
      out.append(prefix, i, len);
    }
    i += len;
  }
  return out.empty() ? "unknown" : out;
}

bool resets_managed_fields(const json& body) {
  const json* meta = member(body, "metadata");
  const json* mf = meta ? member(*meta, "managedFields") : nullptr;
  if (!mf || !mf->is_array())
    return false;
  if (mf->empty())
    return true;
  if (mf->size() != 1 || !(*mf)[0].is_object())
    return false;
  for (const auto& v : (*mf)[0])
    if (!(v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
          (v.is_object() && v.empty())))
      return false;
  return true;
}

}  // namespace capstan::api
