// The Node authorizer's view of the cluster (auth::node_graph) over the read model: which node
// a pod is bound to, and whether a node's pods use a Secret or ConfigMap — each answered under
// the model's shared lock, by one lookup or a walk of that node's pods (the node index).
#pragma once

#include "actors/read_model/read_model.hpp"
#include "auth/node_authorizer.hpp"

namespace capstan::api {

class read_model_node_graph final : public auth::node_graph {
public:
  // `model` must outlive this object.
  explicit read_model_node_graph(const actors::read_model& model) : model_(model) {}

  std::string node_of_pod(const std::string& namespace_, const std::string& name) const override;
  bool node_uses(const std::string& node, const std::string& resource,
                 const std::string& namespace_, const std::string& name) const override;

private:
  const actors::read_model& model_;
};

}  // namespace capstan::api
