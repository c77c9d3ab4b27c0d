// ReplicationController (core/v1): keeps `replicas` pods matching `selector` running.
#pragma once

#include "messages/pod.hpp"

namespace capstan::messages {

struct replication_controller_spec {
  std::optional<int32_t> replicas;  // defaulted to 1
  int32_t min_ready_seconds = 0;
  string_map selector;  // defaulted to the template's labels
  boxed<pod_template_spec> template_;
};
template <class F>
void fields(F& f, replication_controller_spec& x) {
  f("replicas", x.replicas);
  f("minReadySeconds", x.min_ready_seconds);
  f("selector", x.selector);
  f("template", x.template_);
}

struct replication_controller_status {
  int32_t replicas = 0;
  int32_t fully_labeled_replicas = 0;
  int32_t ready_replicas = 0;
  int32_t available_replicas = 0;
  int64_t observed_generation = 0;
};
template <class F>
void fields(F& f, replication_controller_status& x) {
  f.always("replicas", x.replicas);
  f("fullyLabeledReplicas", x.fully_labeled_replicas);
  f("readyReplicas", x.ready_replicas);
  f("availableReplicas", x.available_replicas);
  f("observedGeneration", x.observed_generation);
}

struct replication_controller {
  object_meta metadata;
  replication_controller_spec spec;
  replication_controller_status status;
};
template <class F>
void fields(F& f, replication_controller& x) {
  f.always("metadata", x.metadata);
  f.always("spec", x.spec);
  f("status", x.status);
}

}  // namespace capstan::messages
