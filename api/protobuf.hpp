// The little of Kubernetes' protobuf encoding that kubectl sends to a server that cannot be
// told to use JSON: `kubectl create namespace`, `kubectl drain`'s evictions and `kubectl auth`'s
// reviews post protobuf.
#pragma once

#include <optional>
#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api {

// Decodes a "k8s\0"-enveloped object into its JSON form: a Namespace (name, generateName,
// labels, annotations; `kubectl create namespace`) or a policy/v1 Eviction (name, namespace,
// deleteOptions' preconditions, propagationPolicy and dryRun; `kubectl drain`), or a
// SelfSubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview (their specs; `kubectl
// auth can-i` and `auth whoami`), or a Role, ClusterRole, RoleBinding or ClusterRoleBinding
// (`kubectl create role` ...: metadata, rules, subjects, roleRef), or a Secret, ConfigMap or
// ServiceAccount (`kubectl create secret|configmap|serviceaccount`). Returns nullopt
// for anything else: no envelope, another kind, a malformed, truncated or trailing-garbage
// message. Fields capstan does not use are skipped. Bounded: libprotobuf reads no byte beyond
// the body and nests at most 8 messages deep. Thread-safe.
std::optional<messages::json> object_from_protobuf(const std::string& body);

}  // namespace capstan::api
