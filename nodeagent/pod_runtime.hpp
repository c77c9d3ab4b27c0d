// What runs a node's pods. The node agent calls these from its actor; an implementation never
// blocks the caller for long (the runc runtime queues work onto its own thread) and reports
// pod statuses through the reporter, from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "messages/node_protocol.hpp"
#include "nodeagent/pod_dns.hpp"
#include "messages/objects.hpp"

namespace capstan::nodeagent {

struct pod_report {
  std::string namespace_, name, uid;
  messages::pod_status status;
  // The pod was being deleted (it has a deletionTimestamp) and nothing of it runs any more:
  // the master may remove it. `status` is then unused.
  bool terminated = false;
};

// Something that happened to a pod here (FailedMount, Unhealthy, Killing, BackOff), for the
// pod's Events.
struct pod_event {
  std::string namespace_, name, uid;
  std::string type;  // Normal | Warning
  std::string reason, message;
};

// Another node, for routes to its pods.
struct peer_node {
  std::string name, pod_cidr, address;
};

struct container_log {
  std::string bytes;
  uint64_t next_offset = 0;
  std::string error;  // set when there is no such container or log
};

// How to run a command in a container: runc's argv up to the container id (the command and
// runc exec's own options go around it), or why it cannot.
struct exec_target {
  std::vector<std::string> argv;
  std::vector<std::string> tty_options;  // before the container id, for a terminal
  std::string error;                     // set when the pod or container does not run here
};

class pod_runtime {
public:
  using reporter = std::function<void(pod_report)>;
  using event_reporter = std::function<void(pod_event)>;
  virtual ~pod_runtime() = default;

  // Once, after the first join: the node as the master stored it (podCIDR set). Statuses go to
  // `report`, events to `events`; both may be called from any thread.
  virtual void start(const messages::node& self, reporter report, event_reporter events) = 0;
  // The whole desired set (after every join): pods not in it are removed, missing ones started,
  // running ones adopted.
  virtual void sync(std::vector<messages::pod> desired) = 0;
  // One pod bound to this node, new or changed.
  virtual void upsert(messages::pod desired) = 0;
  // The files of pods' secret and configMap volumes (before those pods in sync or upsert, and
  // again when a Secret or ConfigMap changes): written when the volume is set up, rewritten in
  // place (atomically) while the pod runs. A runtime without files ignores them.
  virtual void set_config_volumes(std::vector<messages::config_volume> volumes) { (void)volumes; }
  // Pods' registry credentials (before those pods in sync or upsert, and again when a pull
  // Secret changes): what their images are pulled with. A runtime that pulls nothing ignores
  // them.
  virtual void set_pull_auths(std::vector<messages::image_pull_auth> auths) { (void)auths; }
  // The cluster DNS pods' resolv.conf names (dnsPolicy ClusterFirst), in force for containers
  // started from now on.
  virtual void set_cluster_dns(cluster_dns_settings settings) { (void)settings; }
  // How pods reach other nodes (the cluster's mode, told at each join): before start at the
  // first join, and again at a rejoin. A runtime without a pod network ignores it.
  virtual void set_pod_network(messages::pod_network_settings settings) { (void)settings; }
  virtual void remove(const std::string& namespace_, const std::string& name,
                      const std::string& uid) = 0;
  virtual void set_peers(std::vector<peer_node> peers) = 0;
  // A container's output from byte `offset`; with offset 0 and tail > 0, its last `tail` lines.
  virtual container_log logs(const std::string& namespace_, const std::string& name,
                         const std::string& container, uint64_t offset, uint64_t tail) = 0;
  // Where a command for `container` of the pod (with that UID) runs; thread-safe.
  virtual exec_target exec_target_of(const std::string& namespace_, const std::string& name,
                                     const std::string& uid, const std::string& container) = 0;
  // How to connect to a port in the pod's network namespace (kubectl port-forward): the argv
  // that the port number completes (pod_connect.hpp); thread-safe.
  virtual exec_target port_target_of(const std::string& namespace_, const std::string& name,
                                     const std::string& uid) = 0;
  // "runc://1.1.5", "fake://0.1": the node's containerRuntimeVersion.
  virtual std::string version() const = 0;
};

}  // namespace capstan::nodeagent
