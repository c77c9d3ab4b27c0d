#include "actors/objects/object_rules.hpp"

#include "messages/defaults.hpp"
#include "messages/equal_fields.hpp"
#include "messages/validation.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

messages::journal_record record_about(const any_object& current, const object_command& c,
                                      domain_event event) {
  journal_record r;
  r.kind = c.kind;
  r.namespace_ = meta_of(current).namespace_;
  r.name = meta_of(current).name;
  r.uid = meta_of(current).uid;
  r.cause = c.cause;
  r.event = std::move(event);
  return r;
}

command_reply unchanged(const any_object& current) {
  command_reply r;
  r.object = current;
  return r;
}

command_reply conflict(object_kind kind, const object_key& key, const std::string& why) {
  return command_reply::failure(
      error_code::conflict, "Operation cannot be fulfilled on " + describe(kind, key) + ": " + why);
}

command_reply stale(object_kind kind, const object_key& key) {
  return conflict(kind, key,
                  "the object has been modified; please apply your changes to the latest version "
                  "and try again");
}

// Whether the part of an object that its generation counts changed.
template <class T>
bool same_spec(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, endpoints>)
    return equal_fields(a.subsets, b.subsets);
  else if constexpr (std::is_same_v<T, event>)
    return equal_fields(a, b);
  else if constexpr (std::is_base_of_v<role, T>)
    return equal_fields(a.rules, b.rules);
  else if constexpr (std::is_base_of_v<role_binding, T>)
    return equal_fields(a.subjects, b.subjects) && equal_fields(a.role_ref_, b.role_ref_);
  else if constexpr (std::is_same_v<T, secret> || std::is_same_v<T, config_map> ||
                     std::is_same_v<T, service_account>)
    return true;  // no spec: Kubernetes keeps no generation for these kinds
  else
    return equal_fields(a.spec, b.spec);
}

// Fields an update may not change, per kind; returns the first violation.
std::optional<field_error> immutable_violation(const any_object& current, const any_object& next) {
  if (auto* p = std::get_if<pod>(&current)) {
    // Kubernetes lets a pod update change only container images and activeDeadlineSeconds.
    pod a = *p;
    const pod& b = std::get<pod>(next);
    if (a.spec.containers.size() == b.spec.containers.size()) {
      for (std::size_t i = 0; i < a.spec.containers.size(); ++i)
        a.spec.containers[i].image = b.spec.containers[i].image;
    }
    a.spec.active_deadline_seconds = b.spec.active_deadline_seconds;
    if (a.spec.node_name.empty())
      a.spec.node_name = b.spec.node_name;
    if (!equal_fields(a.spec, b.spec))
      return forbidden("spec",
                       "pod updates may not change fields other than `spec.containers[*].image` "
                       "or `spec.activeDeadlineSeconds`");
  }
  // A binding's role is what it grants: changing it is a new binding (Kubernetes' words).
  const role_binding* binding = std::get_if<role_binding>(&current);
  if (!binding)
    binding = std::get_if<cluster_role_binding>(&current);
  if (binding) {
    const role_ref& next_ref = std::visit(
        [&](const auto& n) -> const role_ref& {
          if constexpr (std::is_base_of_v<role_binding, std::decay_t<decltype(n)>>)
            return n.role_ref_;
          else
            return binding->role_ref_;
        },
        next);
    if (!equal_fields(next_ref, binding->role_ref_))
      return invalid("roleRef", "", "cannot change roleRef");
  }
  // Kubernetes' ValidateSecretUpdate and ValidateConfigMapUpdate: the type never changes;
  // an object marked immutable keeps its data and the mark.
  // `changed`: the first data field that differs ("" when none).
  auto immutable_data = [](const auto& cur, const auto& nxt, const char* changed) {
    std::optional<field_error> out;
    if (cur.immutable.value_or(false)) {
      if (!nxt.immutable.value_or(false))
        out = forbidden("immutable", "field is immutable when `immutable` is set");
      else if (*changed)
        out = forbidden(changed, "field is immutable when `immutable` is set");
    }
    return out;
  };
  if (auto* cur = std::get_if<secret>(&current)) {
    const auto& nxt = std::get<secret>(next);
    if (nxt.type != cur->type)
      return invalid("type", quote(nxt.type), "field is immutable");
    if (auto v = immutable_data(*cur, nxt, equal_fields(cur->data, nxt.data) ? "" : "data"))
      return v;
  }
  if (auto* cur = std::get_if<config_map>(&current)) {
    const auto& nxt = std::get<config_map>(next);
    const char* changed = !equal_fields(cur->data, nxt.data)                 ? "data"
                          : !equal_fields(cur->binary_data, nxt.binary_data) ? "binaryData"
                                                                             : "";
    if (auto v = immutable_data(*cur, nxt, changed))
      return v;
  }
  if (auto* s = std::get_if<service>(&current)) {
    const auto& n = std::get<service>(next);
    if (!n.spec.cluster_ip.empty() && n.spec.cluster_ip != s->spec.cluster_ip)
      return invalid("spec.clusterIP", quote(n.spec.cluster_ip), "field is immutable");
  }
  if (auto* n = std::get_if<node>(&current)) {
    const auto& m = std::get<node>(next);
    if (!n->spec.pod_cidr.empty() && !m.spec.pod_cidr.empty() &&
        m.spec.pod_cidr != n->spec.pod_cidr)
      return invalid("spec.podCIDR", quote(m.spec.pod_cidr), "field is immutable once set");
  }
  return std::nullopt;
}

planned_change plan_update(const any_object& current, const object_command& c,
                           const update_op& op) {
  if (kind_of(op.object) != c.kind)
    return command_reply::failure(error_code::bad_request,
                                  "the object's kind does not match the resource");
  any_object next = op.object;
  auto& meta = meta_of(next);
  const auto& now = meta_of(current);
  if (!meta.resource_version.empty() && meta.resource_version != now.resource_version)
    return stale(c.kind, c.target);
  if (meta.name != now.name || (!meta.namespace_.empty() && meta.namespace_ != now.namespace_))
    return command_reply::failure(error_code::bad_request,
                                  "the name and namespace of the object do not match the request");
  if (!meta.uid.empty() && meta.uid != now.uid)
    return conflict(c.kind, c.target,
                    "Precondition failed: UID in precondition: " + meta.uid +
                        ", UID in object meta: " + now.uid);
  // Server-owned metadata carries over; status is not changed by an update.
  meta.namespace_ = now.namespace_;
  meta.uid = now.uid;
  meta.creation_timestamp = now.creation_timestamp;
  meta.deletion_timestamp = now.deletion_timestamp;
  meta.generation = now.generation;
  meta.resource_version = now.resource_version;
  std::visit(
      [&](auto& n) {
        using T = std::decay_t<decltype(n)>;
        const auto& cur = std::get<T>(current);
        if constexpr (std::is_same_v<T, pod> || std::is_same_v<T, replication_controller> ||
                      std::is_same_v<T, node> || std::is_same_v<T, namespace_object> ||
                      std::is_same_v<T, resource_quota>)
          n.status = cur.status;
        if constexpr (std::is_same_v<T, service>) {
          if (n.spec.cluster_ip.empty())
            n.spec.cluster_ip = cur.spec.cluster_ip;
        }
        if constexpr (std::is_same_v<T, pod>) {
          if (n.spec.node_name.empty())
            n.spec.node_name = cur.spec.node_name;
        }
      },
      next);
  apply_defaults(next);
  auto errors = validate(next);
  if (auto v = immutable_violation(current, next))
    errors.push_back(*v);
  if (!errors.empty())
    return command_reply::failure(
        error_code::invalid,
        std::string(info(c.kind).name) + " \"" + c.target.name + "\" is invalid", errors);
  bool spec_changed = std::visit(
      [&](const auto& n) { return !same_spec(n, std::get<std::decay_t<decltype(n)>>(current)); },
      next);
  if (spec_changed)
    meta.generation = now.generation + 1;
  if (equal_fields(next, current))
    return unchanged(current);
  // Name the change precisely when it is one the audit knows: labels only, or a scale.
  any_object labels_only = current;
  meta_of(labels_only).labels = meta.labels;
  if (equal_fields(labels_only, next))
    return record_about(current, c, labels_changed{meta.labels});
  if (auto* rc = std::get_if<replication_controller>(&next)) {
    auto scaled = std::get<replication_controller>(current);
    scaled.spec.replicas = rc->spec.replicas;
    scaled.metadata.generation = meta.generation;
    if (equal_fields(any_object(scaled), next))
      return record_about(
          current, c,
          rc_scaled{std::get<replication_controller>(current).spec.replicas.value_or(0),
                    rc->spec.replicas.value_or(0)});
  }
  return record_about(current, c, object_updated{std::move(next)});
}

planned_change plan_delete(const any_object& current, const object_command& c,
                           const delete_op& op) {
  const auto& meta = meta_of(current);
  if (!op.uid_precondition.empty() && op.uid_precondition != meta.uid)
    return conflict(c.kind, c.target,
                    "Precondition failed: UID in precondition: " + op.uid_precondition +
                        ", UID in object meta: " + meta.uid);
  if (!op.resource_version_precondition.empty() &&
      op.resource_version_precondition != meta.resource_version)
    return stale(c.kind, c.target);
  if (const auto* p = std::get_if<pod>(&current)) {
    // A pod whose node may run it terminates there first (as Kubernetes does): its node sees
    // the deletionTimestamp, stops it within the grace period and confirms with a delete of
    // grace 0. A pod no node runs (unscheduled, finished) goes at once.
    const int64_t grace =
        op.grace_period_seconds ? *op.grace_period_seconds
                                : p->spec.termination_grace_period_seconds.value_or(30);
    const bool runs = !p->spec.node_name.empty() && p->status.phase != "Succeeded" &&
                      p->status.phase != "Failed";
    if (grace > 0 && runs) {
      if (!p->metadata.deletion_timestamp.empty() &&
          timestamp::now().seconds + grace >= p->metadata.deletion_timestamp.seconds)
        return unchanged(current);  // terminating already, and not sooner by this delete
      return record_about(current, c, deletion_requested{grace});
    }
  }
  return record_about(current, c, object_deleted{op.reason});
}

planned_change plan_bind(const any_object& current, const object_command& c, const bind_op& op) {
  auto* p = std::get_if<pod>(&current);
  if (!p)
    return command_reply::failure(error_code::bad_request, "only pods can be bound");
  if (op.node_name.empty())
    return command_reply::failure(error_code::invalid, "binding needs a node name",
                                  {required("target.name")});
  if (!p->spec.node_name.empty())
    return conflict(
        c.kind, c.target,
        "pod " + c.target.name + " is already assigned to node \"" + p->spec.node_name + "\"");
  if (!p->metadata.deletion_timestamp.empty())
    return conflict(c.kind, c.target,
                    "pod " + c.target.name + " is being deleted, cannot be assigned to a host");
  return record_about(current, c, pod_bound{op.node_name});
}

// A status report restates times that only move on a transition: a condition whose status did
// not change keeps the time it last changed (and, for nodes, the heartbeat time recorded with
// it: heartbeats are followed in memory, not journaled); a pod keeps its startTime; a container
// still running as the same container, with no restart since, keeps its startedAt. Reports that
// then equal the current status change nothing and write no record (a reconnecting node or a
// restarted master restates everything).
template <class Condition>
void keep_condition_times(const std::vector<Condition>& current, std::vector<Condition>& next) {
  for (auto& n : next)
    for (const auto& c : current)
      if (c.type == n.type && c.status == n.status) {
        n.last_transition_time = c.last_transition_time;
        if constexpr (std::is_same_v<Condition, node_condition>)
          n.last_heartbeat_time = c.last_heartbeat_time;
      }
}

void keep_unchanged_times(const pod_status& current, pod_status& next) {
  if (!current.conditions.empty() && !next.conditions.empty())
    keep_condition_times(current.conditions.items(), next.conditions.edit());
  if (!current.start_time.empty())
    next.start_time = current.start_time;
  for (auto& n : next.container_statuses)
    for (const auto& c : current.container_statuses)
      if (c.name == n.name && c.container_id == n.container_id &&
          c.restart_count == n.restart_count && c.state.running && n.state.running)
        n.state.running->started_at = c.state.running->started_at;
}

planned_change plan_status(const any_object& current, const object_command& c,
                           const status_op& op) {
  if (kind_of(op.object) != c.kind)
    return command_reply::failure(error_code::bad_request,
                                  "the object's kind does not match the resource");
  const auto& rv = meta_of(op.object).resource_version;
  if (!rv.empty() && rv != meta_of(current).resource_version)
    return stale(c.kind, c.target);
  if (auto* p = std::get_if<pod>(&op.object)) {
    auto status = p->status;
    keep_unchanged_times(std::get<pod>(current).status, status);
    if (equal_fields(status, std::get<pod>(current).status))
      return unchanged(current);
    return record_about(current, c, pod_status_changed{std::move(status)});
  }
  if (auto* rc = std::get_if<replication_controller>(&op.object)) {
    if (equal_fields(rc->status, std::get<replication_controller>(current).status))
      return unchanged(current);
    return record_about(current, c, rc_status_changed{rc->status});
  }
  if (auto* n = std::get_if<node>(&op.object)) {
    auto status = n->status;
    keep_condition_times(std::get<node>(current).status.conditions, status.conditions);
    if (equal_fields(status, std::get<node>(current).status))
      return unchanged(current);
    return record_about(current, c, node_status_changed{std::move(status)});
  }
  return command_reply::failure(error_code::bad_request,
                                std::string(info(c.kind).resource) + " have no status subresource");
}

planned_change plan_scale(const any_object& current, const object_command& c, const scale_op& op) {
  auto* rc = std::get_if<replication_controller>(&current);
  if (!rc)
    return command_reply::failure(error_code::bad_request,
                                  "only replication controllers can be scaled");
  if (op.replicas < 0)
    return command_reply::failure(error_code::invalid, "replicas must be >= 0",
                                  {invalid("spec.replicas", std::to_string(op.replicas),
                                           "must be greater than or equal to 0")});
  int32_t now = rc->spec.replicas.value_or(0);
  if (op.current_replicas_precondition && *op.current_replicas_precondition != now)
    return conflict(c.kind, c.target,
                    "Expected replicas to be " + std::to_string(*op.current_replicas_precondition) +
                        ", was " + std::to_string(now));
  if (!op.resource_version_precondition.empty() &&
      op.resource_version_precondition != rc->metadata.resource_version)
    return stale(c.kind, c.target);
  if (op.replicas == now)
    return unchanged(current);
  return record_about(current, c, rc_scaled{now, op.replicas});
}

planned_change plan_ready(const any_object& current, const object_command& c, const ready_op& op) {
  auto* n = std::get_if<node>(&current);
  if (!n)
    return command_reply::failure(error_code::bad_request, "only nodes have readiness");
  std::string status = op.ready ? "True" : (op.reason == "NodeStatusUnknown" ? "Unknown" : "False");
  for (const auto& cond : n->status.conditions)
    if (cond.type == "Ready" && cond.status == status)
      return unchanged(current);
  return record_about(current, c, node_ready_changed{op.ready, op.reason, op.message});
}

planned_change plan_endpoints(const any_object& current, const object_command& c,
                              const endpoints_op& op) {
  auto* ep = std::get_if<endpoints>(&current);
  if (!ep)
    return command_reply::failure(error_code::bad_request, "only Endpoints have subsets");
  if (equal_fields(ep->subsets, op.subsets))
    return unchanged(current);
  return record_about(current, c, endpoints_changed{op.subsets});
}

}  // namespace

planned_change plan_change(const any_object& current, const object_command& command) {
  return std::visit(
      [&](const auto& op) -> planned_change {
        using O = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<O, update_op>)
          return plan_update(current, command, op);
        else if constexpr (std::is_same_v<O, delete_op>)
          return plan_delete(current, command, op);
        else if constexpr (std::is_same_v<O, bind_op>)
          return plan_bind(current, command, op);
        else if constexpr (std::is_same_v<O, status_op>)
          return plan_status(current, command, op);
        else if constexpr (std::is_same_v<O, scale_op>)
          return plan_scale(current, command, op);
        else if constexpr (std::is_same_v<O, ready_op>)
          return plan_ready(current, command, op);
        else
          return plan_endpoints(current, command, op);
      },
      command.op);
}

messages::journal_record creation_record(any_object object, const std::string& cause) {
  journal_record r;
  r.kind = kind_of(object);
  r.namespace_ = meta_of(object).namespace_;
  r.name = meta_of(object).name;
  r.uid = meta_of(object).uid;
  r.cause = cause;
  r.event = object_created{std::move(object)};
  return r;
}

}  // namespace capstan::actors
