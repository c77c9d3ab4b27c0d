// What the master can be asked to do, and what it answers: the contract between the API
// gateway, the controllers and the object actors. Errors carry Kubernetes' Status reasons.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "messages/field_error.hpp"
#include "messages/objects.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

using messages::any_object;
using messages::object_kind;
using store::object_key;

// Kubernetes Status reasons with their HTTP codes.
enum class error_code {
  bad_request,     // 400 BadRequest
  forbidden,       // 403 Forbidden (quota, namespace terminating, immutable fields)
  not_found,       // 404 NotFound
  already_exists,  // 409 AlreadyExists
  conflict,        // 409 Conflict (stale resourceVersion, binding a bound pod)
  invalid,         // 422 Invalid (validation; `causes` lists the fields)
  internal,        // 500 InternalError (the journal failed)
  unavailable,     // 503 ServiceUnavailable (this master does not lead: writes go to the leader)
};

struct api_error {
  error_code code = error_code::internal;
  std::string message;
  messages::field_errors causes;
};

int http_status(error_code code);
const char* status_reason(error_code code);  // "NotFound", "AlreadyExists", ...

struct command_reply {
  std::optional<any_object> object;  // the object after the command (for deletes: before)
  std::optional<api_error> error;
  uint64_t seq = 0;  // the journal record that carried the change (0: none)
  bool deleted = false;  // a delete removed the object (not only began its graceful deletion)
  bool ok() const { return !error; }

  static command_reply failure(error_code code, std::string message,
                               messages::field_errors causes = {}) {
    command_reply r;
    r.error = api_error{code, std::move(message), std::move(causes)};
    return r;
  }
};

// Creates an object. Name, namespace and spec come from `object`; the master assigns uid,
// creationTimestamp, generation and resourceVersion. `cause` is who asks (audit).
struct create_command {
  any_object object;
  std::string cause;
  bool outcome_only = false;  // the caller needs only success or error: no object in the reply
  // Runs every check (admission, quota, validation, uniqueness, a preview of ClusterIP and
  // NodePort allocation) and answers what the real create would, journaling and reserving
  // nothing (`dryRun=All`).
  bool dry_run = false;
};

// Replaces the object (PUT, or the result of a PATCH). When metadata.resourceVersion is set it
// must equal the current one, or the command fails with Conflict.
struct update_op {
  any_object object;
};
// Deletes the object. Preconditions are checked when set. A pod on a node is deleted
// gracefully: it gets a deletionTimestamp `grace_period_seconds` ahead (unset: the pod's
// terminationGracePeriodSeconds, default 30) and is removed once its node confirms that nothing
// of it runs; 0 removes it at once (kubectl delete --force --grace-period=0).
struct delete_op {
  std::string reason;
  std::string uid_precondition;
  std::string resource_version_precondition;
  std::optional<int64_t> grace_period_seconds;
};
// Binds an unbound pod to a node.
struct bind_op {
  std::string node_name;
};
// Replaces the status (pods, RCs, nodes), leaving spec and metadata alone.
struct status_op {
  any_object object;
};
// Sets an RC's replicas; preconditions as in kubectl scale (seed 000).
struct scale_op {
  int32_t replicas = 0;
  std::optional<int32_t> current_replicas_precondition;
  std::string resource_version_precondition;
};
// A node's Ready condition changes (node lifecycle, registration).
struct ready_op {
  bool ready = false;
  std::string reason;
  std::string message;
};

// Sets an Endpoints' subsets (the endpoints controller: EndpointsChanged in the journal).
struct endpoints_op {
  std::vector<messages::endpoint_subset> subsets;
};

struct object_command {
  object_kind kind = object_kind::pod;
  object_key target;
  std::string cause;
  std::variant<update_op, delete_op, bind_op, status_op, scale_op, ready_op, endpoints_op> op;
  bool outcome_only = false;  // the caller needs only success or error: no object in the reply
  // Plans the command against the object as the real one would and answers the object it
  // would leave (a delete: the object as it is), journaling and reserving nothing.
  bool dry_run = false;
};

// Commands on many objects of one kind at once (the scheduler's binds of a turn, a node's
// statuses): each is planned against its object as the object actor would, and journaled on
// its own (accepted or refused alone), but all with one journal request. Not for deletes
// (they cascade through the registry) nor for changes that need the allocator.
struct command_batch {
  std::vector<object_command> commands;
};

std::string describe(object_kind kind, const object_key& key);  // "pods \"default/x\""

}  // namespace capstan::actors
