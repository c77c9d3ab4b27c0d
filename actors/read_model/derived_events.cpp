#include "actors/read_model/derived_events.hpp"

#include <cstdio>

namespace capstan::actors {

namespace {

using namespace messages;

object_reference reference_to(const journal_record& r) {
  object_reference ref;
  ref.kind = std::string(info(r.kind).name);
  ref.namespace_ = r.namespace_;
  ref.name = r.name;
  ref.uid = r.uid;
  ref.api_version = "v1";
  ref.resource_version = std::to_string(r.seq);
  return ref;
}

std::string component_of(const std::string& cause) {
  const std::string prefix = "system:";
  return cause.rfind(prefix, 0) == 0 ? cause.substr(prefix.size()) : cause;
}

// The controller (ownerReference) of a pod, if any.
const owner_reference* controller_of(const pod& p) {
  for (const auto& o : p.metadata.owner_references)
    if (o.controller.value_or(false))
      return &o;
  return nullptr;
}

}  // namespace

void derived_events::emit(const journal_record& record, object_reference involved,
                          const std::string& type, const std::string& reason,
                          const std::string& message, const std::string& component) {
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(record.seq));
  emit(record.seq, record.time_nanos / 1000000000, suffix, std::move(involved), type, reason,
       message, event_source{component, ""});
}

void derived_events::report(reported_event e, uint64_t seq, int64_t time_seconds) {
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, ".%llx.r%llx", static_cast<unsigned long long>(seq),
                static_cast<unsigned long long>(++reported_));
  emit(seq, time_seconds, suffix, std::move(e.involved), e.type, e.reason, e.message,
       std::move(e.source));
}

void derived_events::emit(uint64_t seq, int64_t time_seconds, const std::string& name_suffix,
                          object_reference involved, const std::string& type,
                          const std::string& reason, const std::string& message,
                          event_source source) {
  timestamp when{time_seconds};
  std::string identity = involved.uid + "\n" + reason + "\n" + message;
  if (auto it = by_identity_.find(identity); it != by_identity_.end()) {
    auto found = events_.find(it->second);
    if (found != events_.end()) {
      auto& e = std::get<event>(found->second);
      e.count += 1;
      e.last_timestamp = when;
      e.metadata.resource_version = std::to_string(seq);
      return;
    }
  }
  event e;
  e.metadata.name = involved.name + name_suffix;
  e.metadata.namespace_ = involved.namespace_.empty() ? "default" : involved.namespace_;
  e.metadata.uid = "event" + name_suffix + "-" + reason;
  e.metadata.creation_timestamp = when;
  e.metadata.resource_version = std::to_string(seq);
  e.involved_object = std::move(involved);
  e.reason = reason;
  e.message = message;
  e.source = std::move(source);
  e.first_timestamp = when;
  e.last_timestamp = when;
  e.count = 1;
  e.type = type;
  store::object_key key{e.metadata.namespace_, e.metadata.name};
  by_identity_[identity] = key;
  events_[key] = std::move(e);
  order_.emplace_back(key, std::move(identity));
  // The oldest go, with their identities (else the index would grow without bound).
  while (order_.size() > capacity_) {
    events_.erase(order_.front().first);
    auto it = by_identity_.find(order_.front().second);
    if (it != by_identity_.end() && it->second == order_.front().first)
      by_identity_.erase(it);
    order_.pop_front();
  }
}

void derived_events::observe(const store::cluster_state& before, const journal_record& r) {
  std::string component = component_of(r.cause);
  std::string full_name = r.namespace_.empty() ? r.name : r.namespace_ + "/" + r.name;
  if (auto* bound = std::get_if<pod_bound>(&r.event)) {
    emit(r, reference_to(r), "Normal", "Scheduled",
         "Successfully assigned " + full_name + " to " + bound->node_name, component);
  } else if (auto* status = std::get_if<pod_status_changed>(&r.event)) {
    for (const auto& c : status->status.conditions)
      if (c.type == "PodScheduled" && c.status == "False")
        emit(r, reference_to(r), "Warning", "FailedScheduling", c.message, component);
  } else if (auto* created = std::get_if<object_created>(&r.event)) {
    if (auto* p = std::get_if<pod>(&created->object))
      if (auto* owner = controller_of(*p)) {
        object_reference rc{owner->kind, r.namespace_, owner->name, owner->uid, "v1", "", ""};
        emit(r, rc, "Normal", "SuccessfulCreate", "Created pod: " + r.name, component);
      }
  } else if (std::holds_alternative<object_deleted>(r.event) && r.kind == object_kind::pod) {
    if (auto* p = before.find<pod>({r.namespace_, r.name}))
      if (auto* owner = controller_of(*p); owner && r.cause == "system:replication-manager") {
        object_reference rc{owner->kind, r.namespace_, owner->name, owner->uid, "v1", "", ""};
        emit(r, rc, "Normal", "SuccessfulDelete", "Deleted pod: " + r.name, component);
      }
    if (r.cause == "system:node-lifecycle")
      emit(r, reference_to(r), "Normal", "TaintManagerEviction",
           "Deleting pod " + full_name + ": " + std::get<object_deleted>(r.event).reason,
           component);
  } else if (auto* ready = std::get_if<node_ready_changed>(&r.event)) {
    emit(r, reference_to(r), ready->ready ? "Normal" : "Warning",
         ready->ready ? "NodeReady" : "NodeNotReady",
         "Node " + r.name + " status is now: " + (ready->ready ? "NodeReady" : "NodeNotReady"),
         component);
  } else if (auto* scaled = std::get_if<rc_scaled>(&r.event)) {
    emit(r, reference_to(r), "Normal", "ScalingReplicaSet",
         "Scaled from " + std::to_string(scaled->from) + " to " + std::to_string(scaled->to),
         component);
  }
  if (std::holds_alternative<object_created>(r.event) && r.kind == object_kind::node)
    emit(r, reference_to(r), "Normal", "RegisteredNode",
         "Node " + r.name + " event: Registered Node " + r.name + " in Controller", component);
}

}  // namespace capstan::actors
