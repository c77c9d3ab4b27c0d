// The authorizer chain as kube-apiserver runs it with --authorization-mode=Node,RBAC: the Node
// authorizer first (node identities: their own Node, their pods, what those use), then RBAC
// (deny by default; system:masters may do anything). The first to allow decides; a refusal
// carries the Node authorizer's reason when it gave one.
#pragma once

#include <memory>

#include "auth/node_authorizer.hpp"
#include "auth/rbac_policy.hpp"

namespace capstan::auth {

class request_authorizer {
public:
  // `graph` must outlive this object; `policy` must not be null.
  request_authorizer(std::shared_ptr<const rbac_policy> policy, const node_graph& graph)
      : policy_(std::move(policy)), graph_(graph) {}

  authorization_decision authorize(const request_attributes& request) const;
  // RBAC's index, for what only RBAC answers (the rules a user holds, escalation checks).
  const rbac_policy& policy() const { return *policy_; }

private:
  std::shared_ptr<const rbac_policy> policy_;
  const node_graph& graph_;
};

}  // namespace capstan::auth
