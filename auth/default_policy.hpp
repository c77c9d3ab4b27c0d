// The roles and bindings every cluster starts with, as Kubernetes' bootstrap policy has them
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), for the resources capstan serves:
// cluster-admin (everything), admin, edit and view (for a namespace, through a RoleBinding),
// system:basic-user (ask what you may do), system:discovery and system:public-info-viewer (the
// API's discovery paths and /version, /healthz), and the bindings that give cluster-admin to
// system:masters and the others to every authenticated user. Kubernetes builds admin, edit and
// view by aggregation; here each is written out whole (they hold the same rules).
// Each object carries the label kubernetes.io/bootstrapping=rbac-defaults and the annotation
// rbac.authorization.kubernetes.io/autoupdate=true, as Kubernetes' do.
#pragma once

#include <vector>

#include "auth/rbac_policy.hpp"
#include "messages/rbac.hpp"

namespace capstan::auth {

std::vector<messages::role> default_cluster_roles();
std::vector<messages::role_binding> default_cluster_role_bindings();

// A policy holding those and nothing else.
rbac_policy bootstrap_policy();

}  // namespace capstan::auth
