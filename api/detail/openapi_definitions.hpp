// The definitions (schemas) of an OpenAPI document, generated from the field lists of messages/:
// Kubernetes' definition names, and the set of definitions one document refers to. Detail of
// api/openapi.cpp.
#pragma once

#include <memory>
#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api::detail {

// Definitions without a C++ struct: leaf types, and what the API serves besides the kinds.
inline constexpr const char* meta_v1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";
inline constexpr const char* core_v1 = "io.k8s.api.core.v1.";
inline const std::string time_name = std::string(meta_v1) + "Time";
inline const std::string quantity_name = "io.k8s.apimachinery.pkg.api.resource.Quantity";
inline const std::string int_or_string_name = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
inline const std::string list_meta_name = std::string(meta_v1) + "ListMeta";
inline const std::string status_name = std::string(meta_v1) + "Status";
inline const std::string status_details_name = std::string(meta_v1) + "StatusDetails";
inline const std::string status_cause_name = std::string(meta_v1) + "StatusCause";
inline const std::string delete_options_name = std::string(meta_v1) + "DeleteOptions";
inline const std::string preconditions_name = std::string(meta_v1) + "Preconditions";
inline const std::string patch_name = std::string(meta_v1) + "Patch";
inline const std::string scale_name = "io.k8s.api.autoscaling.v1.Scale";
inline const std::string scale_spec_name = "io.k8s.api.autoscaling.v1.ScaleSpec";
inline const std::string scale_status_name = "io.k8s.api.autoscaling.v1.ScaleStatus";
inline const std::string eviction_name = "io.k8s.api.policy.v1.Eviction";
inline const std::string fields_v1_name = std::string(meta_v1) + "FieldsV1";

inline constexpr const char* rbac_v1 = "io.k8s.api.rbac.v1.";
// Where a kind's definitions live: "io.k8s.api.core.v1." or "io.k8s.api.rbac.v1.".
inline std::string model_prefix(messages::object_kind kind) {
  return messages::info(kind).group.empty() ? core_v1 : rbac_v1;
}

// {"group": ..., "version": ..., "kind": ...}, as x-kubernetes-group-version-kind lists them.
inline messages::json gvk(const std::string& group, const std::string& version,
                          const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

enum class dialect { swagger_2, openapi_3 };

// The definitions of one document, added on demand: asking for a reference to a definition
// defines it and everything it refers to (every kind of messages/, the meta/v1 types, Scale,
// Eviction, Status, lists). Not thread-safe; one per document being built.
class schema_set {
public:
  explicit schema_set(dialect d);
  ~schema_set();

  dialect kind() const;
  // A reference to the definition `name` ("io.k8s.api.core.v1.Pod"), defining it first;
  // throws std::logic_error for a name capstan has no definition of.
  messages::json ref(const std::string& name);
  // Every definition added so far, by name.
  messages::json definitions() const;

private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace capstan::api::detail
