#include "api/read_model_node_graph.hpp"

#include "actors/nodes/config_env.hpp"
#include "actors/nodes/pull_secrets.hpp"

namespace capstan::api {

std::string read_model_node_graph::node_of_pod(const std::string& namespace_,
                                               const std::string& name) const {
  std::string node;
  model_.read([&](const store::cluster_state& state) {
    if (auto* p = state.find<messages::pod>({namespace_, name}))
      node = p->spec.node_name;
  });
  return node;
}

bool read_model_node_graph::node_uses(const std::string& node, const std::string& resource,
                                      const std::string& namespace_,
                                      const std::string& name) const {
  const bool secret = resource == "secrets";
  if (!secret && resource != "configmaps")
    return false;
  const auto kind = secret ? messages::object_kind::secret : messages::object_kind::config_map;
  bool used = false;
  model_.for_each_pod_on_node(node, [&](const store::cluster_state&, const messages::pod& p) {
    if (used || p.metadata.namespace_ != namespace_)
      return;
    used = actors::uses_config_object(p, kind, name) ||
           (secret && actors::pulls_with_secret(p, name));
  });
  return used;
}

}  // namespace capstan::api
