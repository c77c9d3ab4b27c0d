#include "auth/request_authorizer.hpp"

namespace capstan::auth {

authorization_decision request_authorizer::authorize(const request_attributes& request) const {
  auto node = authorize_node(request, graph_);
  if (node.allowed)
    return {true, "allowed by the Node authorizer"};
  auto rbac = policy_->authorize(request);
  if (!rbac.allowed)
    rbac.reason = node.reason;
  return rbac;
}

}  // namespace capstan::auth
