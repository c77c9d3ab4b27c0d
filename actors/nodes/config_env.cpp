#include "actors/nodes/config_env.hpp"

#include <algorithm>
#include <utility>

#include "messages/name_rules.hpp"

namespace capstan::actors {

using namespace messages;

namespace {

// A Secret's data or a ConfigMap's data (its binaryData never becomes variables), by key.
struct config_source {
  const std::map<std::string, std::string>* values = nullptr;
  const char* kind_name = "";      // "ConfigMap" | "Secret"
  const char* lower_kind = "";     // "configmap" | "secret", as Kubernetes' not-found says
};

config_source find_source(const store::cluster_state& s, bool is_secret, const std::string& ns,
                          const std::string& name) {
  config_source out;
  out.kind_name = is_secret ? "Secret" : "ConfigMap";
  out.lower_kind = is_secret ? "secret" : "configmap";
  if (is_secret) {
    if (const auto* sec = s.find<secret>({ns, name}))
      out.values = &sec->data;
  } else if (const auto* cm = s.find<config_map>({ns, name})) {
    out.values = &cm->data;
  }
  return out;
}

}  // namespace

std::variant<pod, std::string> with_config_environment(pod p, const store::cluster_state& s) {
  const std::string& ns = p.metadata.namespace_;
  auto reads_config = [](const container& c) {
    return !c.env_from.empty() || std::any_of(c.env.begin(), c.env.end(), [](const env_var& e) {
      return e.value_from && (e.value_from->config_map_key_ref || e.value_from->secret_key_ref);
    });
  };
  // Most pods read none: their containers stay shared (a non-const walk would copy them).
  const auto& containers = std::as_const(p.spec.containers);
  if (std::none_of(containers.begin(), containers.end(), reads_config))
    return p;
  for (auto& c : p.spec.containers) {
    if (!reads_config(c))
      continue;
    std::vector<env_var> env;
    for (const auto& from : c.env_from) {
      const bool is_secret = from.secret_ref.has_value();
      const env_object_ref& ref =
          is_secret ? static_cast<const env_object_ref&>(*from.secret_ref)
                    : static_cast<const env_object_ref&>(*from.config_map_ref);
      auto source = find_source(s, is_secret, ns, ref.name);
      if (!source.values) {
        if (ref.optional_.value_or(false))
          continue;
        return std::string(source.lower_kind) + " \"" + ref.name + "\" not found";
      }
      for (const auto& [key, value] : *source.values)
        if (env_var_name(from.prefix + key).empty())  // invalid names are skipped, as Kubernetes does
          env.push_back({from.prefix + key, value, {}});
    }
    for (auto& e : c.env) {
      if (e.value_from && (e.value_from->config_map_key_ref || e.value_from->secret_key_ref)) {
        const bool is_secret = e.value_from->secret_key_ref.has_value();
        const key_selector& ref =
            is_secret ? static_cast<const key_selector&>(*e.value_from->secret_key_ref)
                      : static_cast<const key_selector&>(*e.value_from->config_map_key_ref);
        auto source = find_source(s, is_secret, ns, ref.name);
        const bool optional = ref.optional_.value_or(false);
        if (!source.values) {
          if (optional)
            continue;
          return std::string(source.lower_kind) + " \"" + ref.name + "\" not found";
        }
        auto value = source.values->find(ref.key);
        if (value == source.values->end()) {
          if (optional)
            continue;
          return "couldn't find key " + ref.key + " in " + source.kind_name + " " + ns + "/" +
                 ref.name;
        }
        env.push_back({e.name, value->second, {}});
      } else {
        env.push_back(std::move(e));
      }
    }
    c.env = std::move(env);
    c.env_from.clear();
  }
  return p;
}

bool uses_config_object(const pod& p, object_kind kind, const std::string& name) {
  const bool want_secret = kind == object_kind::secret;
  if (!want_secret && kind != object_kind::config_map)
    return false;
  for (const auto& v : p.spec.volumes) {
    if (want_secret && v.secret && v.secret->secret_name == name)
      return true;
    if (!want_secret && v.config_map && v.config_map->name == name)
      return true;
  }
  for (const auto& c : p.spec.containers) {
    for (const auto& from : c.env_from)
      if ((want_secret ? from.secret_ref.has_value() : from.config_map_ref.has_value()) &&
          (want_secret ? from.secret_ref->name : from.config_map_ref->name) == name)
        return true;
    for (const auto& e : c.env) {
      if (!e.value_from)
        continue;
      const auto& secret_ref = e.value_from->secret_key_ref;
      const auto& config_ref = e.value_from->config_map_key_ref;
      if (want_secret ? secret_ref && secret_ref->name == name
                      : config_ref && config_ref->name == name)
        return true;
    }
  }
  return false;
}

}  // namespace capstan::actors
