#include "api/patch.hpp"

namespace capstan::api {

using messages::json;

json merge_patch(json target, const json& patch) {
  if (!patch.is_object())
    return patch;
  if (!target.is_object())
    target = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.value().is_null())
      target.erase(it.key());
    else
      target[it.key()] =
          merge_patch(target.contains(it.key()) ? target[it.key()] : json(), it.value());
  }
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
  for (const auto& item : patch) {
    if (!item.is_object()) {
      return patch;
    }
    std::string k = key;
    if (k.empty())
      k = item.contains("containerPort") ? "containerPort" : "port";
    if (!item.contains(k))
      return patch;
    bool merged = false;
    for (auto& existing : target)
      if (existing.is_object() && existing.contains(k) && existing[k] == item[k]) {
        if (item.contains("$patch") && item["$patch"] == "delete") {
          existing = nullptr;
        } else {
          existing = strategic(existing, item);
        }
        merged = true;
        break;
      }
    if (!merged && !(item.contains("$patch") && item["$patch"] == "delete"))
      target.push_back(item);
  }
  json out = json::array();
  for (auto& e : target)
    if (!e.is_null())
      out.push_back(e);
  return out;
}

json strategic(json target, const json& patch) {
  if (!patch.is_object())
    return patch;
  if (!target.is_object())
    target = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("$setElementOrder/", 0) == 0 || k == "$patch" || k == "$retainKeys")
      continue;
    if (it.value().is_null())
      target.erase(k);
    else if (it.value().is_array() && target.contains(k))
      target[k] = merge_list(target[k], it.value(), k);
    else if (it.value().is_object())
      target[k] = strategic(target.contains(k) ? target[k] : json(), it.value());
    else
      target[k] = it.value();
  }
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

std::optional<json> json_patch(json target, const json& operations, std::string* error) {
  if (!operations.is_array()) {
    *error = "a JSON patch must be a list of operations";
    return std::nullopt;
  }
  for (const auto& op : operations) {
    std::string name = op.value("op", "");
    std::string path = op.value("path", "");
    json::json_pointer ptr;
    try {
      ptr = json::json_pointer(path);
    } catch (const std::exception& e) {
      *error = "invalid path " + path;
      return std::nullopt;
    }
    try {
      if (name == "add") {
        auto parts = pointer_parts(path);
        if (!parts.empty() && parts.back() == "-") {
          target[ptr.parent_pointer()].push_back(op.at("value"));
        } else if (!parts.empty() && target[ptr.parent_pointer()].is_array()) {
          auto& arr = target[ptr.parent_pointer()];
          arr.insert(arr.begin() + std::stoi(parts.back()), op.at("value"));
        } else {
          target[ptr] = op.at("value");
        }
      } else if (name == "replace") {
        if (!target.contains(ptr)) {
          *error = "replace: path " + path + " does not exist";
          return std::nullopt;
        }
        target[ptr] = op.at("value");
      } else if (name == "remove") {
        if (!target.contains(ptr)) {
          *error = "remove: path " + path + " does not exist";
          return std::nullopt;
        }
        auto& parent = target[ptr.parent_pointer()];
        auto parts = pointer_parts(path);
        if (parent.is_array())
          parent.erase(parent.begin() + std::stoi(parts.back()));
        else
          parent.erase(parts.back());
      } else if (name == "test") {
        if (!target.contains(ptr) || target[ptr] != op.at("value")) {
          *error = "test failed at " + path;
          return std::nullopt;
        }
      } else if (name == "copy" || name == "move") {
        json::json_pointer from(op.value("from", ""));
        json value = target.at(from);
        if (name == "move") {
          auto parts = pointer_parts(op.value("from", ""));
          auto& parent = target[from.parent_pointer()];
          if (parent.is_array())
            parent.erase(parent.begin() + std::stoi(parts.back()));
          else
            parent.erase(parts.back());
        }
        target[ptr] = value;
      } else {
        *error = "unknown JSON patch operation \"" + name + "\"";
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
