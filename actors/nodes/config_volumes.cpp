#include "actors/nodes/config_volumes.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

constexpr int32_t default_mode = 0644;

// The files of one volume from `values` (nullptr: the object is missing), or why not.
std::variant<config_volume, std::string> files_of(
    const pod& p, const volume& v, const char* kind, const std::string& object_name,
    const std::vector<const std::map<std::string, std::string>*>& values,
    const std::vector<key_to_path>& items, std::optional<int32_t> mode, bool optional) {
  const auto failed = [&](const std::string& why) {
    return "MountVolume.SetUp failed for volume \"" + v.name + "\" : " + why;
  };
  config_volume out;
  out.pod_uid = p.metadata.uid;
  out.volume = v.name;
  if (values.empty()) {
    if (optional)
      return out;
    return failed(std::string(kind) + " \"" + object_name + "\" not found");
  }
  const int32_t file_mode = mode.value_or(default_mode);
  auto find = [&](const std::string& key) -> const std::string* {
    for (const auto* map : values) {
      auto it = map->find(key);
      if (it != map->end())
        return &it->second;
    }
    return nullptr;
  };
  if (items.empty()) {
    for (const auto* map : values)
      for (const auto& [key, bytes] : *map)
        out.files.push_back({key, file_mode, bytes});
    return out;
  }
  for (const auto& item : items) {
    const std::string* bytes = find(item.key);
    if (!bytes) {
      if (optional)
        continue;
      return failed(std::string(kind) + " references non-existent " +
                    (std::string(kind) == "secret" ? "secret" : "config") + " key: " + item.key);
    }
    out.files.push_back({item.path, item.mode.value_or(file_mode), *bytes});
  }
  return out;
}

}  // namespace

std::variant<std::vector<config_volume>, std::string> config_volumes_of(
    const pod& p, const store::cluster_state& s) {
  std::vector<config_volume> out;
  const std::string& ns = p.metadata.namespace_;
  for (const auto& v : p.spec.volumes) {
    std::variant<config_volume, std::string> made;
    if (v.secret) {
      std::vector<const std::map<std::string, std::string>*> values;
      if (const auto* sec = s.find<secret>({ns, v.secret->secret_name}))
        values.push_back(&sec->data);
      made = files_of(p, v, "secret", v.secret->secret_name, values, v.secret->items,
                      v.secret->default_mode, v.secret->optional_.value_or(false));
    } else if (v.config_map) {
      std::vector<const std::map<std::string, std::string>*> values;
      if (const auto* cm = s.find<config_map>({ns, v.config_map->name})) {
        values.push_back(&cm->data);
        values.push_back(&cm->binary_data);
      }
      made = files_of(p, v, "configmap", v.config_map->name, values, v.config_map->items,
                      v.config_map->default_mode, v.config_map->optional_.value_or(false));
    } else {
      continue;
    }
    if (auto* why = std::get_if<std::string>(&made))
      return std::move(*why);
    out.push_back(std::get<config_volume>(std::move(made)));
  }
  return out;
}

}  // namespace capstan::actors
