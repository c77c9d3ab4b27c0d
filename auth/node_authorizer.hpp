// Kubernetes' Node authorizer (with its NodeRestriction admission and, as in 1.32, field
// selectors): a node's identity (user system:node:NAME in group system:nodes) may read and
// update its own Node and the pods bound to it, read the Secrets and ConfigMaps those pods use,
// read Services and Endpoints (what a node's proxy and pods' environment need) and write
// Events. For anything else, and for every other user, it has no opinion: RBAC decides (so an
// administrator may still grant a node more with a binding).
//
// What a node may do, request by request (NAME is the node's own name):
//   nodes                get, list, watch of NAME only (a list or watch names it with
//                        fieldSelector metadata.name=NAME); update, patch of NAME and
//                        NAME/status. Not create (nodes register through the join port) nor
//                        delete.
//   pods                 get of a pod bound to NAME; list, watch with fieldSelector
//                        spec.nodeName=NAME only (a watch by metadata.name would follow a pod
//                        deleted and created again elsewhere); delete of a pod bound to NAME;
//                        update, patch of its status. Not create (there are no mirror pods),
//                        not exec, attach, portforward or log.
//   secrets, configmaps  get (list, watch of one by metadata.name) when a pod bound to NAME
//                        uses it (env, envFrom, volume, imagePullSecrets).
//   services, endpoints  get, list, watch.
//   events               create, update, patch.
// A refusal carries Kubernetes' reason ("node 'a' cannot read 'b', only its own Node object";
// "no relationship found between node 'a' and this object").
#pragma once

#include <optional>
#include <string>

#include "auth/request_attributes.hpp"

namespace capstan::auth {

inline const char* const nodes_group = "system:nodes";
inline const char* const node_user_prefix = "system:node:";

// What the authorizer needs to know of the cluster. Implementations answer from the state
// that committed last; each call is one lookup (or a walk of one node's pods).
class node_graph {
public:
  virtual ~node_graph() = default;
  // The node the pod NAMESPACE/NAME is bound to; "" when it is unbound or does not exist.
  virtual std::string node_of_pod(const std::string& namespace_, const std::string& name) const = 0;
  // Whether a pod bound to `node` uses the Secret (resource "secrets") or ConfigMap
  // ("configmaps") NAMESPACE/NAME.
  virtual bool node_uses(const std::string& node, const std::string& resource,
                         const std::string& namespace_, const std::string& name) const = 0;
};

// The node `user` is (Kubernetes' NodeIdentity: a name system:node:NAME and the group
// system:nodes), or nullopt. NAME may be "" (an identity the authorizer refuses everything).
std::optional<std::string> node_name_of(const user_identity& user);

struct node_decision {
  bool allowed = false;
  // Why a node was not allowed ("" when the user is not a node or nothing applies).
  std::string reason;
};

// The authorizer's answer for `request` (not allowed: no opinion, RBAC decides). Pure but for
// the graph's lookups; never throws.
node_decision authorize_node(const request_attributes& request, const node_graph& graph);

}  // namespace capstan::auth
