#include "actors/nodes/pull_secrets.hpp"

#include <nlohmann/json.hpp>

namespace capstan::actors {

using namespace messages;

namespace {

// The registries of one Secret: the object under "auths" (dockerconfigjson) or the whole
// document (dockercfg); nothing when the Secret is of another type or does not parse.
std::optional<nlohmann::json> registries_of(const secret& s) {
  const bool config_json = s.type == "kubernetes.io/dockerconfigjson";
  if (!config_json && s.type != "kubernetes.io/dockercfg")
    return std::nullopt;
  auto data = s.data.find(config_json ? ".dockerconfigjson" : ".dockercfg");
  if (data == s.data.end())
    return std::nullopt;
  auto doc = nlohmann::json::parse(data->second, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::nullopt;
  if (config_json) {
    auto auths = doc.find("auths");
    if (auths == doc.end() || !auths->is_object())
      return std::nullopt;
    return *auths;
  }
  return doc;
}

}  // namespace

std::optional<std::string> pull_auth_file(const pod& p, const store::cluster_state& state) {
  nlohmann::json auths = nlohmann::json::object();
  for (const auto& ref : p.spec.image_pull_secrets) {
    const auto* s = state.find<secret>({p.metadata.namespace_, ref.name});
    if (!s)
      continue;
    auto registries = registries_of(*s);
    if (!registries)
      continue;
    for (auto it = registries->begin(); it != registries->end(); ++it)
      if (it.value().is_object() && !auths.contains(it.key()))
        auths[it.key()] = it.value();
  }
  if (auths.empty())
    return std::nullopt;
  return nlohmann::json{{"auths", std::move(auths)}}.dump();
}

bool pulls_with_secret(const pod& p, const std::string& name) {
  for (const auto& ref : p.spec.image_pull_secrets)
    if (ref.name == name)
      return true;
  return false;
}

}  // namespace capstan::actors
