// Field ownership for server-side apply (metadata.managedFields): Kubernetes'
// structured-merge-diff rules for capstan's kinds, as pure functions on JSON trees of objects.
//
// The schema is the one Kubernetes declares for core/v1, derived from capstan's field lists
// (messages/*.hpp): structs own their fields one by one (`f:name`); lists with merge keys are
// merged element by element (`k:{"name":"nginx"}`): containers, volumes and env by name,
// volumeMounts by mountPath, container ports by containerPort+protocol, service ports by
// port+protocol, ownerReferences by uid, pod and node conditions and node addresses by type;
// every other list, the selectors (RC, service, nodeSelector) and ObjectReference-like structs
// are atomic (owned whole). labels, annotations and resource lists are maps owned key by key.
//
// Who calls what (the HTTP handler):
//   - PATCH with `application/apply-patch+yaml`: validate_patch_options (api/field_manager.hpp),
//     then apply().
//   - create, PUT, merge/strategic/JSON PATCH: record_update() with the manager from
//     manager_or_user_agent() (api/field_manager.hpp); a body whose metadata.managedFields is `[]` asks for a reset
//     (resets_managed_fields): store none instead.
//   - Whatever managedFields a client sends in a body are ignored: the server computes them.
// Objects are capstan JSON (messages::to_json); their own metadata.managedFields are ignored.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "messages/field_error.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

using managed_fields = std::vector<messages::managed_fields_entry>;

// Kubernetes keeps at most this many Update entries; older ones merge into "ancient-changes".
inline constexpr std::size_t max_update_managers = 10;

// One field of the applied configuration that another manager owns with a different value.
struct field_conflict {
  std::string manager;  // as Kubernetes prints it: `"kubectl-edit" using v1`, `"ops"`
  std::string field;    // `.spec.replicas`, `.spec.containers[name="nginx"].image`
};

// Apply refused: 409 Conflict, reason "Conflict"; each conflict is a status cause
// {reason: "FieldManagerConflict", message: "conflict with " + manager, field}.
struct apply_conflicts {
  std::vector<field_conflict> conflicts;  // grouped by manager, managers sorted, as Kubernetes
  // `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1:
  // .spec.replicas`, or for several: `Apply failed with 2 conflicts: conflicts with "a":\n- .x\n
  // - .y` (one "conflicts with" line per manager, one "- path" line per field).
  std::string message() const;
};

// The applied configuration cannot be taken: wrong apiVersion or kind, managedFields in it,
// a field the kind does not have, a keyed list element without its key, duplicate keys.
// Kubernetes answers 400 BadRequest for the first three and 500 for the others; capstan
// answers 400 BadRequest for all, with Kubernetes' wording.
struct apply_error {
  std::string message;
};

struct apply_result {
  // The live object with the configuration merged in and the fields this manager stopped
  // applying removed. May hold null members (a field the configuration set to null): they
  // read as unset. No metadata.managedFields: store `managed` there. Defaults are not applied:
  // decode, default and validate it as any update.
  messages::json object;
  managed_fields managed;       // sorted as Kubernetes shows them
  bool object_changed = false;  // false: same content as the live object (nulls aside)
};

using apply_outcome = std::variant<apply_result, apply_conflicts, apply_error>;

// Server-side apply of `config` by `manager` to the main resource of an object of `kind`.
// `live` is the stored object, or nullptr to create it from the configuration. `managed` is
// the live object's metadata.managedFields. The configuration's status is ignored.
// The manager's Apply entry becomes exactly the fields of `config`; fields it applied before
// and no longer does are removed from the object unless another manager owns them. Fields the
// configuration sets to a value that differs from live and that another manager owns are
// conflicts; with `force` the manager takes them (they leave the other entries; an entry
// left empty is dropped). A live object without managedFields (older than capstan's tracking)
// first gets a "before-first-apply" Update entry owning all its fields, as in Kubernetes.
// Manager "kubectl" (kubectl apply --server-side) takes over fields the client-side
// last-applied-configuration annotation still matches, and rewrites that annotation if present.
// Precondition: `manager` is non-empty and valid (validate_patch_options).
apply_outcome apply(messages::object_kind kind, const messages::json* live,
                    const managed_fields& managed, const messages::json& config,
                    const std::string& manager, bool force, messages::timestamp now);

// The managedFields after an Update (create, PUT, merge/strategic/JSON PATCH, status or scale
// writes) by `manager` turned `before` (nullptr for a create) into `after`. Fields whose value
// changed or appeared become owned by the manager's Update entry for `subresource` ("" for the
// main resource) and leave every other entry; removed fields leave every entry. `managed` is
// the live object's managedFields ({} for a create; never the request body's). Server-owned
// fields are never owned (apiVersion, kind, metadata name, namespace, uid, resourceVersion,
// generation, creationTimestamp, managedFields), nor status unless `subresource` is "status",
// which in turn owns only status. An entry's time moves to `now` when it gains fields. An
// existing object without managedFields stays untracked, as in Kubernetes. Pass `after` as the
// request made it (decoded and defaulted), before the server stamps or allocates anything.
managed_fields record_update(messages::object_kind kind, const messages::json* before,
                             const messages::json& after, const managed_fields& managed,
                             const std::string& manager, const std::string& subresource,
                             messages::timestamp now);

// The field set of an object or configuration of `kind` as FieldsV1, the way an Apply entry
// records it ({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{...}}); server-owned fields
// and status excluded. Fails like apply() on a configuration the schema cannot take.
std::variant<messages::json, apply_error> fields_v1_of(messages::object_kind kind,
                                                       const messages::json& object);

// True when a create or update body asks to clear the managed fields: metadata.managedFields
// is `[]` or `[{}]` (Kubernetes' reset).
bool resets_managed_fields(const messages::json& body);

}  // namespace capstan::api
