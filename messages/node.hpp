// Node (core/v1): a machine that runs pods, with capacity, conditions and addresses.
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct node_spec {
  std::string pod_cidr;
  std::string provider_id;
  bool unschedulable = false;
};
template <class F>
void fields(F& f, node_spec& x) {
  f("podCIDR", x.pod_cidr);
  f("providerID", x.provider_id);
  f("unschedulable", x.unschedulable);
}

struct node_condition {
  std::string type;    // Ready | MemoryPressure | DiskPressure | ...
  std::string status;  // True | False | Unknown
  timestamp last_heartbeat_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
};
template <class F>
void fields(F& f, node_condition& x) {
  f.always("type", x.type);
  f.always("status", x.status);
  f("lastHeartbeatTime", x.last_heartbeat_time);
  f("lastTransitionTime", x.last_transition_time);
  f("reason", x.reason);
  f("message", x.message);
}

struct node_address {
  std::string type;  // InternalIP | ExternalIP | Hostname
  std::string address;
};
template <class F>
void fields(F& f, node_address& x) {
  f.always("type", x.type);
  f.always("address", x.address);
}

// rare_strings, though every registered node sets them: a node is one alternative of
// any_object, whose size is its largest alternative's, and the read model holds millions of
// pods in it. As std::strings these ten made a node (904 bytes) larger than a pod.
struct node_system_info {
  rare_string machine_id;
  rare_string system_uuid;
  rare_string boot_id;
  rare_string kernel_version;
  rare_string os_image;
  rare_string container_runtime_version;
  rare_string kubelet_version;
  rare_string kube_proxy_version;
  rare_string operating_system;
  rare_string architecture;
};
template <class F>
void fields(F& f, node_system_info& x) {
  f.always("machineID", x.machine_id);
  f.always("systemUUID", x.system_uuid);
  f.always("bootID", x.boot_id);
  f.always("kernelVersion", x.kernel_version);
  f.always("osImage", x.os_image);
  f.always("containerRuntimeVersion", x.container_runtime_version);
  f.always("kubeletVersion", x.kubelet_version);
  f.always("kubeProxyVersion", x.kube_proxy_version);
  f.always("operatingSystem", x.operating_system);
  f.always("architecture", x.architecture);
}

struct node_status {
  resource_list capacity;
  resource_list allocatable;
  std::string phase;
  std::vector<node_condition> conditions;
  std::vector<node_address> addresses;
  node_system_info node_info;
};
template <class F>
void fields(F& f, node_status& x) {
  f("capacity", x.capacity);
  f("allocatable", x.allocatable);
  f("phase", x.phase);
  f("conditions", x.conditions);
  f("addresses", x.addresses);
  f("nodeInfo", x.node_info);
}

struct node {
  object_meta metadata;
  node_spec spec;
  node_status status;
};
template <class F>
void fields(F& f, node& x) {
  f.always("metadata", x.metadata);
  f.always("spec", x.spec);
  f("status", x.status);
}

}  // namespace capstan::messages
