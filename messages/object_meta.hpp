// ObjectMeta and the references between objects (metav1.ObjectMeta, OwnerReference).
#pragma once

#include "messages/boxed.hpp"
#include "messages/shared_list.hpp"
#include "messages/types.hpp"

namespace capstan::messages {

// Field lists: each struct's `fields(f, x)` names every field once, in its Kubernetes JSON
// spelling; the JSON and Cap'n Proto codecs walk these lists. `f(name, v)` omits a field equal
// to its zero value when encoding JSON; `f.always(name, v)` writes it even then.

struct owner_reference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
};
template <class F>
void fields(F& f, owner_reference& x) {
  f.always("apiVersion", x.api_version);
  f.always("kind", x.kind);
  f.always("name", x.name);
  f.always("uid", x.uid);
  f("controller", x.controller);
}

// Which manager owns which fields of an object (metav1.ManagedFieldsEntry), as server-side
// apply records them. The server computes these (api/managed_fields.hpp); see there for what
// a client may send.
struct managed_fields_entry {
  std::string manager;      // at most 128 printable characters
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // "v1"
  timestamp time;           // last change of this entry's fields (unset: never recorded)
  std::string fields_type;  // "FieldsV1"
  // The owned fields as a FieldsV1 object: {"f:spec":{"f:replicas":{}}}.
  raw_json_object fields_v1;
  std::string subresource;  // "" for the main resource, "status", "scale"
};
template <class F>
void fields(F& f, managed_fields_entry& x) {
  f("manager", x.manager);
  f("operation", x.operation);
  f("apiVersion", x.api_version);
  f("time", x.time);
  f("fieldsType", x.fields_type);
  f("fieldsV1", x.fields_v1);
  f("subresource", x.subresource);
}

struct object_meta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  // The journal sequence number of the object's last change, as a decimal string.
  std::string resource_version;
  int64_t generation = 0;
  timestamp creation_timestamp;
  timestamp deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
  string_map labels;
  string_map annotations;
  // Shared between equal lists (store/object_sharing.hpp): an RC's pods all name the RC.
  shared_list<owner_reference> owner_references;
  std::vector<managed_fields_entry> managed_fields;
};
template <class F>
void fields(F& f, object_meta& x) {
  f("name", x.name);
  f("generateName", x.generate_name);
  f("namespace", x.namespace_);
  f("uid", x.uid);
  f("resourceVersion", x.resource_version);
  f("generation", x.generation);
  f("creationTimestamp", x.creation_timestamp);
  f("deletionTimestamp", x.deletion_timestamp);
  f("deletionGracePeriodSeconds", x.deletion_grace_period_seconds);
  f("labels", x.labels);
  f("annotations", x.annotations);
  f("ownerReferences", x.owner_references);
  f("managedFields", x.managed_fields);
}

// A reference to any object (Event.involvedObject, Endpoints targetRef).
struct object_reference {
  std::string kind;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
  std::string field_path;
};
template <class F>
void fields(F& f, object_reference& x) {
  f("kind", x.kind);
  f("namespace", x.namespace_);
  f("name", x.name);
  f("uid", x.uid);
  f("apiVersion", x.api_version);
  f("resourceVersion", x.resource_version);
  f("fieldPath", x.field_path);
}

// A reference to an object by name in the same namespace (imagePullSecrets).
struct local_object_reference {
  std::string name;
};
template <class F>
void fields(F& f, local_object_reference& x) {
  f("name", x.name);
}

}  // namespace capstan::messages
