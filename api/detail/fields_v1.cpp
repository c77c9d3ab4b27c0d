// FieldsV1 written from and read into field sets.
#include "api/detail/fields_v1.hpp"

#include <optional>

#include "messages/json_input.hpp"

namespace capstan::api::detail {

namespace m = messages;
using m::json;

namespace {

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

}  // namespace

// Keys are distinct (a set's elements, "." apart): members are appended directly, since
// ordered_json's operator[] searches linearly (10,000 labels made that 50 million compares).
// `with_dot`: the set's owner is itself a member, written first as ".".
json to_fields_v1(const field_set& s, bool with_dot) {
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

}  // namespace capstan::api::detail
