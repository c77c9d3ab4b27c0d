#include "api/patch.hpp"

#include <algorithm>
#include <unordered_map>

namespace capstan::api {

using messages::json;

namespace {

// Index of an object's members by key: ordered_json looks keys up linearly, which made a patch
// of n keys into an object of n keys cost n^2 comparisons (a 3 MiB body: minutes of CPU).
// Members are updated in place, appended, or marked removed and dropped at the end.
class member_index {
public:
  explicit member_index(json& object)
      : object_(object.get_ref<json::object_t&>()), members_(object_) {
    at_.reserve(members_.size());
    for (std::size_t i = 0; i < members_.size(); ++i)
      at_.emplace(members_[i].first, i);
    removed_.assign(members_.size(), false);
  }
  // The member's value, or null when absent (or removed).
  json* find(const std::string& key) {
    auto it = at_.find(key);
    return it == at_.end() || removed_[it->second] ? nullptr : &members_[it->second].second;
  }
  void set(const std::string& key, json value) {
    auto it = at_.find(key);
    if (it != at_.end()) {
      members_[it->second].second = std::move(value);
      removed_[it->second] = false;
      return;
    }
    at_.emplace(key, members_.size());
    members_.emplace_back(key, std::move(value));
    removed_.push_back(false);
  }
  void erase(const std::string& key) {
    if (auto it = at_.find(key); it != at_.end())
      removed_[it->second] = true;
  }
  // Drops the removed members (call once, at the end).
  void compact() {
    if (std::find(removed_.begin(), removed_.end(), true) == removed_.end())
      return;
    json::object_t kept;
    for (std::size_t i = 0; i < members_.size(); ++i)
      if (!removed_[i])
        kept.emplace_back(members_[i].first, std::move(members_[i].second));
    object_ = std::move(kept);
  }

private:
  json::object_t& object_;
  json::object_t::Container& members_;  // the same, as the vector it is (no linear look-ups)
  std::unordered_map<std::string, std::size_t> at_;
  std::vector<bool> removed_;
};

}  // namespace

json merge_patch(json target, const json& patch) {
  if (!patch.is_object())
    return patch;
  if (!target.is_object())
    target = json::object();
  member_index members(target);
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.value().is_null()) {
      members.erase(it.key());
    } else {
      json* existing = members.find(it.key());
      members.set(it.key(), merge_patch(existing ? std::move(*existing) : json(), it.value()));
    }
  }
  members.compact();
  return target;
}

namespace {

// The merge key of a list field, as Kubernetes' strategic merge patch defines it.
const char* merge_key(const std::string& field) {
  if (field == "containers" || field == "env" || field == "volumes" || field == "volumeMounts" ||
      field == "initContainers" || field == "imagePullSecrets")
    return field == "volumeMounts" ? "mountPath" : "name";
  if (field == "ports")
    return "";  // containerPort for containers, port for services: decided per element
  if (field == "conditions" || field == "addresses")
    return "type";
  return nullptr;
}

json strategic(json target, const json& patch);

json merge_list(json target, const json& patch, const std::string& field) {
  const char* key = merge_key(field);
  if (!key || !target.is_array() || !patch.is_array())
    return patch;
  // Existing elements by their merge key's value (its JSON text), so that merging n elements
  // into n costs n lookups, not n^2 comparisons.
  std::unordered_map<std::string, std::size_t> at;
  auto key_name = [&](const json& item) {
    std::string k = key;
    if (k.empty())
      k = item.contains("containerPort") ? "containerPort" : "port";
    return k;
  };
  for (std::size_t i = 0; i < target.size(); ++i) {
    const json& existing = target[i];
    if (!existing.is_object())
      continue;
    std::string k = key_name(existing);
    if (auto v = existing.find(k); v != existing.end())
      at.emplace(k + "=" + v->dump(), i);
  }
  for (const auto& item : patch) {
    if (!item.is_object())
      return patch;
    std::string k = key_name(item);
    auto v = item.find(k);
    if (v == item.end())
      return patch;
    const bool remove = item.contains("$patch") && item["$patch"] == "delete";
    auto found = at.find(k + "=" + v->dump());
    if (found != at.end()) {
      json& existing = target[found->second];
      existing = remove ? json(nullptr) : strategic(std::move(existing), item);
      if (remove)
        at.erase(found);
    } else if (!remove) {
      at.emplace(k + "=" + v->dump(), target.size());
      target.push_back(item);
    }
  }
  json out = json::array();
  for (auto& e : target)
    if (!e.is_null())
      out.push_back(std::move(e));
  return out;
}

json strategic(json target, const json& patch) {
  if (!patch.is_object())
    return patch;
  if (!target.is_object())
    target = json::object();
  member_index members(target);
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("$setElementOrder/", 0) == 0 || k == "$patch" || k == "$retainKeys")
      continue;
    json* existing = members.find(k);
    if (it.value().is_null())
      members.erase(k);
    else if (it.value().is_array() && existing)
      members.set(k, merge_list(std::move(*existing), it.value(), k));
    else if (it.value().is_object())
      members.set(k, strategic(existing ? std::move(*existing) : json(), it.value()));
    else
      members.set(k, it.value());
  }
  members.compact();
  return target;
}

// RFC 6901 pointer segments.
std::vector<std::string> pointer_parts(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 1;
  while (i <= path.size() && !path.empty()) {
    std::size_t j = path.find('/', i);
    std::string part = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    std::string decoded;
    for (std::size_t k = 0; k < part.size(); ++k) {
      if (part[k] == '~' && k + 1 < part.size()) {
        decoded += part[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        decoded += part[k];
      }
    }
    parts.push_back(decoded);
    if (j == std::string::npos)
      break;
    i = j + 1;
  }
  return parts;
}

}  // namespace

json strategic_merge_patch(json target, const json& patch) {
  return strategic(std::move(target), patch);
}

namespace {

// An array index of a JSON pointer's last segment: digits only, at most `limit` ("-" is the
// end for an add). nullopt when it is not one.
std::optional<std::size_t> array_index(const std::string& segment, std::size_t limit,
                                       bool dash_allowed) {
  if (dash_allowed && segment == "-")
    return limit;
  if (segment.empty() || segment.size() > 9 ||
      segment.find_first_not_of("0123456789") != std::string::npos ||
      (segment.size() > 1 && segment[0] == '0'))
    return std::nullopt;
  std::size_t i = std::stoul(segment);
  if (i > limit)
    return std::nullopt;
  return i;
}

// The container that holds the value `path` names (which must exist), or null.
json* parent_of(json& target, const json::json_pointer& ptr) {
  if (ptr.empty())
    return nullptr;
  auto parent = ptr.parent_pointer();
  if (!target.contains(parent))
    return nullptr;
  json& p = target[parent];
  return p.is_object() || p.is_array() ? &p : nullptr;
}

// RFC 6902 add / remove at `path`; false with *error set when the path does not fit.
bool add_at(json& target, const std::string& path, json value, std::string* error) {
  json::json_pointer ptr(path);
  if (ptr.empty()) {
    target = std::move(value);
    return true;
  }
  json* parent = parent_of(target, ptr);
  auto last = pointer_parts(path).back();
  if (!parent) {
    *error = "add operation does not apply: doc is missing path: \"" + path + "\"";
    return false;
  }
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return true;
  }
  auto i = array_index(last, parent->size(), true);
  if (!i) {
    *error = "add operation does not apply: index out of range in \"" + path + "\"";
    return false;
  }
  parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(*i), std::move(value));
  return true;
}

bool remove_at(json& target, const std::string& path, json* removed, std::string* error) {
  json::json_pointer ptr(path);
  json* parent = parent_of(target, ptr);
  auto parts = pointer_parts(path);
  if (!parent || parts.empty()) {
    *error = "remove operation does not apply: doc is missing path: \"" + path + "\"";
    return false;
  }
  const std::string& last = parts.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) {
      *error = "remove operation does not apply: doc is missing key: " + path;
      return false;
    }
    if (removed)
      *removed = std::move(*it);
    parent->erase(it);
    return true;
  }
  auto i = array_index(last, parent->empty() ? 0 : parent->size() - 1, false);
  if (!i || parent->empty()) {
    *error = "remove operation does not apply: index out of range in \"" + path + "\"";
    return false;
  }
  if (removed)
    *removed = std::move((*parent)[*i]);
  parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(*i));
  return true;
}

}  // namespace

// What a JSON patch may copy, in total, in bytes of JSON values (a copy of the document into
// itself doubles it: 40 such operations would need terabytes). kube-apiserver's json-patch
// library bounds the same thing (AccumulatedCopySizeLimit).
constexpr std::size_t max_copied_values = 16 * 1024 * 1024;

// About the bytes `j` takes as JSON text, without writing it.
std::size_t count_values(const json& j) {
  if (j.is_string())
    return j.get_ref<const std::string&>().size() + 2;
  std::size_t n = 8;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      n += it.key().size() + 4 + count_values(it.value());
  else if (j.is_array())
    for (const auto& child : j)
      n += 1 + count_values(child);
  return n;
}

std::optional<json> json_patch(json target, const json& operations, std::string* error) {
  if (!operations.is_array()) {
    *error = "a JSON patch must be a list of operations";
    return std::nullopt;
  }
  if (operations.size() > 10000) {
    *error = "a JSON patch may hold at most 10000 operations";
    return std::nullopt;
  }
  std::size_t copied = 0;
  for (const auto& op : operations) {
    auto text = [&](const char* field) -> std::optional<std::string> {
      auto it = op.find(field);
      if (it == op.end() || !it->is_string())
        return std::nullopt;
      return it->get<std::string>();
    };
    if (!op.is_object() || !text("op") || !text("path")) {
      *error = "each JSON patch operation must be an object with string \"op\" and \"path\"";
      return std::nullopt;
    }
    const std::string name = *text("op"), path = *text("path");
    auto value = op.find("value");
    try {
      json::json_pointer ptr(path);
      if ((name == "add" || name == "replace" || name == "test") && value == op.end()) {
        *error = name + " operation needs a \"value\"";
        return std::nullopt;
      }
      if (name == "add") {
        if (!add_at(target, path, *value, error))
          return std::nullopt;
      } else if (name == "remove") {
        if (!remove_at(target, path, nullptr, error))
          return std::nullopt;
      } else if (name == "replace") {
        if (!target.contains(ptr)) {
          *error = "replace operation does not apply: doc is missing key: " + path;
          return std::nullopt;
        }
        target[ptr] = *value;
      } else if (name == "test") {
        if (!target.contains(ptr) || target[ptr] != *value) {
          *error = "testing value " + path + " failed";
          return std::nullopt;
        }
      } else if (name == "copy" || name == "move") {
        auto from = text("from");
        if (!from || !target.contains(json::json_pointer(*from))) {
          *error = name + " operation does not apply: doc is missing from path: " +
                   from.value_or("");
          return std::nullopt;
        }
        json moved = target[json::json_pointer(*from)];
        if (name == "copy" && (copied += count_values(moved)) > max_copied_values) {
          *error = "the patch copies more than " + std::to_string(max_copied_values) +
                   " bytes in total";
          return std::nullopt;
        }
        if (name == "move" && !remove_at(target, *from, nullptr, error))
          return std::nullopt;
        if (!add_at(target, path, std::move(moved), error))
          return std::nullopt;
      } else {
        *error = "Unexpected kind: " + name;
        return std::nullopt;
      }
    } catch (const std::exception& e) {
      *error = name + " " + path + ": " + e.what();
      return std::nullopt;
    }
  }
  return target;
}

}  // namespace capstan::api
