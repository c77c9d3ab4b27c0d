// Kubernetes' NodeRestriction admission, for what the Node authorizer cannot see (the body of
// a write): a node (auth::node_name_of) that updates its own Node may not add, change or
// remove labels that steer workloads or claim an identity — any under
// node-restriction.kubernetes.io/, and any of the kubernetes.io or k8s.io domains but the
// kubelet's own (kubernetes.io/hostname, /os, /arch, the topology and instance-type labels,
// and the kubelet.kubernetes.io and node.kubernetes.io namespaces) — nor the annotation that
// binds the Node to its machine's key (capstan.io/node-key-sha256).
#pragma once

#include <optional>
#include <string>

#include "auth/request_attributes.hpp"
#include "messages/objects.hpp"

namespace capstan::api {

// The refusal's message ("is not allowed to modify labels: node-restriction.kubernetes.io/x")
// when `user` is a node writing `after` over `before` (a Node; null for a create) and changes
// what it may not; nullopt otherwise (other users, other kinds).
std::optional<std::string> node_restriction_refusal(const auth::user_identity& user,
                                                    const messages::any_object* before,
                                                    const messages::any_object& after);

// Whether a node may set the label `key` on its own Node.
bool node_may_set_label(const std::string& key);

}  // namespace capstan::api
