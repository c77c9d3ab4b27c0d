// The journal's domain events: every state change capstan makes, as one record each.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "messages/objects.hpp"

namespace capstan::messages {

// An object came into existence with this content (PodCreated, RcCreated, ...).
struct object_created {
  any_object object;
};
template <class F>
void fields(F& f, object_created& x) {
  f.always("object", x.object);
}

// The object's content was replaced (PUT, PATCH); metadata.generation bumps on spec change.
struct object_updated {
  any_object object;
};
template <class F>
void fields(F& f, object_updated& x) {
  f.always("object", x.object);
}

// The object is gone. `reason` says why when it was not a user's request
// ("cascade from ReplicationController default/frontend", "node node1 evicted").
struct object_deleted {
  std::string reason;
};
template <class F>
void fields(F& f, object_deleted& x) {
  f("reason", x.reason);
}

struct pod_bound {
  std::string node_name;
};
template <class F>
void fields(F& f, pod_bound& x) {
  f.always("nodeName", x.node_name);
}

struct pod_status_changed {
  pod_status status;
};
template <class F>
void fields(F& f, pod_status_changed& x) {
  f.always("status", x.status);
}

struct rc_scaled {
  int32_t from = 0;
  int32_t to = 0;
};
template <class F>
void fields(F& f, rc_scaled& x) {
  f.always("from", x.from);
  f.always("to", x.to);
}

struct rc_status_changed {
  replication_controller_status status;
};
template <class F>
void fields(F& f, rc_status_changed& x) {
  f.always("status", x.status);
}

// The object's labels are now exactly these (any kind).
struct labels_changed {
  string_map labels;
};
template <class F>
void fields(F& f, labels_changed& x) {
  f.always("labels", x.labels);
}

struct node_ready_changed {
  bool ready = false;
  std::string reason;
  std::string message;
};
template <class F>
void fields(F& f, node_ready_changed& x) {
  f.always("ready", x.ready);
  f("reason", x.reason);
  f("message", x.message);
}

struct node_status_changed {
  node_status status;
};
template <class F>
void fields(F& f, node_status_changed& x) {
  f.always("status", x.status);
}

struct endpoints_changed {
  std::vector<endpoint_subset> subsets;
};
template <class F>
void fields(F& f, endpoints_changed& x) {
  f.always("subsets", x.subsets);
}

// Graceful deletion began: metadata.deletionTimestamp is set; the object stays until deleted.
struct deletion_requested {
  int64_t grace_period_seconds = 0;
};
template <class F>
void fields(F& f, deletion_requested& x) {
  f.always("gracePeriodSeconds", x.grace_period_seconds);
}

// Alternatives in the order of the schema's Record.event union members (see
// messages/schema/journal.capnp); append only.
using domain_event =
    std::variant<object_created, object_updated, object_deleted, pod_bound, pod_status_changed,
                 rc_scaled, rc_status_changed, labels_changed, node_ready_changed,
                 node_status_changed, endpoints_changed, deletion_requested>;

// One journal entry: which object, who caused it, when, and what happened.
struct journal_record {
  uint64_t seq = 0;  // assigned by the journal at commit; the object's new resourceVersion
  int64_t time_nanos = 0;
  object_kind kind = object_kind::pod;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string cause;
  domain_event event;
};

// The event's name as people read it in an audit: "PodCreated", "PodBound", "RcScaled",
// "ServiceDeleted", "NodeReadyChanged".
std::string event_name(const journal_record& record);

// What a record changed, in a few words for an audit trail: "replicas 2 -> 3", "to node
// node2", "labels zone=test", "phase Running, IP 10.1.0.2".
std::string change_summary(const journal_record& record);

// The schema's union member name of an event alternative ("created", "podBound").
const char* event_tag(const domain_event& event);

}  // namespace capstan::messages
