#include "api/node_restriction.hpp"

#include <set>

#include "actors/nodes/join_checks.hpp"
#include "auth/node_authorizer.hpp"

namespace capstan::api {

namespace {

bool in_domain(const std::string& domain, const std::string& parent) {
  return domain == parent ||
         (domain.size() > parent.size() &&
          domain.compare(domain.size() - parent.size() - 1, std::string::npos, "." + parent) == 0);
}

// The labels of the Node `o` (null: none).
const messages::string_map* labels_of(const messages::any_object* o) {
  if (!o)
    return nullptr;
  return &std::get<messages::node>(*o).metadata.labels;
}

std::string value_in(const messages::string_map* labels, const std::string& key, bool& present) {
  present = false;
  if (!labels)
    return "";
  auto it = labels->find(key);
  if (it == labels->end())
    return "";
  present = true;
  return it->second;
}

}  // namespace

bool node_may_set_label(const std::string& key) {
  // Kubernetes' kubeletapis.KubeletLabels and KubeletLabelNamespaces.
  static const std::set<std::string> kubelet_labels = {
      "kubernetes.io/hostname",
      "kubernetes.io/os",
      "kubernetes.io/arch",
      "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch",
      "beta.kubernetes.io/instance-type",
      "node.kubernetes.io/instance-type",
      "topology.kubernetes.io/region",
      "topology.kubernetes.io/zone",
      "failure-domain.beta.kubernetes.io/region",
      "failure-domain.beta.kubernetes.io/zone",
  };
  auto slash = key.find('/');
  if (slash == std::string::npos)
    return true;
  const std::string domain = key.substr(0, slash);
  if (in_domain(domain, "node-restriction.kubernetes.io"))
    return false;
  if (!in_domain(domain, "kubernetes.io") && !in_domain(domain, "k8s.io"))
    return true;
  return kubelet_labels.count(key) > 0 || in_domain(domain, "kubelet.kubernetes.io") ||
         in_domain(domain, "node.kubernetes.io");
}

std::optional<std::string> node_restriction_refusal(const auth::user_identity& user,
                                                    const messages::any_object* before,
                                                    const messages::any_object& after) {
  if (!std::holds_alternative<messages::node>(after) || !auth::node_name_of(user))
    return std::nullopt;
  if (before && !std::holds_alternative<messages::node>(*before))
    return std::nullopt;
  const auto* old_labels = labels_of(before);
  const auto* new_labels = labels_of(&after);
  std::set<std::string> keys;
  for (const auto* labels : {old_labels, new_labels})
    if (labels)
      for (const auto& [key, value] : *labels)
        keys.insert(key);
  std::string forbidden;
  for (const auto& key : keys) {
    bool was = false, is = false;
    auto old_value = value_in(old_labels, key, was);
    auto new_value = value_in(new_labels, key, is);
    if ((was != is || old_value != new_value) && !node_may_set_label(key))
      forbidden += (forbidden.empty() ? "" : ", ") + key;
  }
  if (!forbidden.empty())
    return "is not allowed to modify labels: " + forbidden;
  auto annotation = [](const messages::any_object* o, bool& present) {
    present = false;
    if (!o)
      return std::string();
    const auto& annotations = std::get<messages::node>(*o).metadata.annotations;
    auto it = annotations.find(actors::node_key_annotation);
    if (it == annotations.end())
      return std::string();
    present = true;
    return it->second;
  };
  bool had = false, has = false;
  auto old_key = annotation(before, had);
  auto new_key = annotation(&after, has);
  if (had != has || old_key != new_key)
    return std::string("is not allowed to modify the annotation ") + actors::node_key_annotation;
  return std::nullopt;
}

}  // namespace capstan::api
