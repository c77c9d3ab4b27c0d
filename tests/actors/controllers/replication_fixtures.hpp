// The replication controller and pods the RC tests share (rc_sync_test,
// replication_manager_test).
#pragma once

#include <string>

#include "messages/objects.hpp"
#include "tests/store/records.hpp"

namespace capstan::test {

inline messages::replication_controller rc_with(int replicas) {
  messages::replication_controller rc;
  rc.metadata.name = "frontend";
  rc.metadata.namespace_ = "default";
  rc.metadata.uid = "rc-uid";
  rc.metadata.generation = 3;
  rc.spec.replicas = replicas;
  rc.spec.selector = {{"name", "frontend"}};
  messages::pod_template_spec t;
  t.metadata.labels = rc.spec.selector;
  t.spec = small_pod("x").spec;
  rc.spec.template_ = t;
  return rc;
}

inline messages::pod member(const std::string& name, const std::string& node, bool ready,
                            int64_t created_at = 100) {
  auto p = small_pod(name);
  p.spec.node_name = node;
  p.status.phase = node.empty() ? "Pending" : "Running";
  p.metadata.creation_timestamp = {created_at};
  if (ready)
    p.status.conditions.push_back({"Ready", "True", {}, {}, "", ""});
  return p;
}

}  // namespace capstan::test
