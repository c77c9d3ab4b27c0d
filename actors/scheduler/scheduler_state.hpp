// The scheduler's logic as plain data and functions: a node view kept current from committed
// events, the queue of pods to place, and placement by filters and scores over a bounded
// sample of nodes (no full scan per pod at scale). The actor only routes messages here.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "actors/scheduler/plugins.hpp"
#include "messages/domain_event.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

struct placement {
  std::optional<std::string> node;  // where to bind, or nothing
  std::string reason;               // why nothing: "0/3 nodes are available: 3 Insufficient cpu."
};

struct scheduler_state {
  // How many feasible nodes to find before scoring (at least); Kubernetes' adaptive
  // percentageOfNodesToScore gives similar numbers.
  std::size_t min_feasible = 100;
  std::size_t feasible_percent = 5;

  std::vector<node_view> nodes;
  std::unordered_map<std::string, std::size_t> node_index;
  std::size_t next_start = 0;  // round-robin start of the next sample

  // What a pod asks beyond numbers; most pods ask neither, and then hold no block for it.
  struct pod_constraints {
    std::set<std::pair<int32_t, std::string>> host_ports;
    messages::string_map node_selector;
  };
  // What the scheduler keeps of one pod, about 40 bytes beside its key (the read model holds
  // the pod itself); a pod_request and a node name cost about 250 bytes more a pod.
  struct pod_entry {
    int64_t cpu_milli = 0;
    int64_t memory_bytes = 0;
    std::unique_ptr<const pod_constraints> constraints;  // null: none
    uint32_t spread_id = 0;                              // spread_id_of its spread key (0: none)
    uint32_t node = 0;      // node_number of its bound or assumed node (0: pending)
    bool terminal = false;  // Succeeded/Failed pods hold no resources
  };
  std::unordered_map<store::object_key, pod_entry> pods;
  // Pods that became placeable, in arrival order, since the actor last moved them into its
  // work queue (which de-duplicates them and owns their retries).
  std::deque<store::object_key> queue;
  std::unordered_map<store::object_key, std::string> unschedulable;  // waiting for a change
  std::unordered_map<store::object_key, std::string> reported;       // pod -> reason last reported
  std::unordered_map<std::string, uint32_t> spread_ids;              // spread key -> its number

  // Starts from the committed state (at startup or restart).
  void load(const store::cluster_state& state);

  // Updates the view from one committed record. Returns true when a node changed in a way
  // that may let unschedulable pods fit (they are then queued again).
  void observe(const messages::journal_record& record);

  // Places one pod: filters over a sample of nodes, scores the feasible ones, picks the best.
  placement place(const pod_request& pod);

  // Accounts `pod` on `node` (assumed before its bind commits, so the next pods see it).
  void assume(const store::object_key& pod, const std::string& node);
  // Undoes an assumption whose bind failed.
  void forget(const store::object_key& pod);
  // Queues every pod waiting for a change (a node or resources changed; the periodic resync).
  void requeue_unschedulable();

  static pod_request request_of(const messages::pod& p);
  // The entry kept for a pod asking `request`, bound or assumed to `node` ("": pending).
  pod_entry entry_of(const pod_request& request, const std::string& node = "");
  // What an entry asks, as place() takes it.
  pod_request request_of(const pod_entry& entry) const;
  // The number standing for a spread key (0 for none), assigned on first sight.
  uint32_t spread_id_of(const std::string& key);
  // The number standing for a node's name (0 for ""), assigned on first sight and kept: names
  // are few beside pods (one per node the cluster ever had), and a pod holds 4 bytes, not a
  // string. node_name is its inverse.
  uint32_t node_number(const std::string& name);
  const std::string& node_name(uint32_t number) const;

private:
  // Sets node_view::placing_spread on the nodes holding pods of `spread_id` (or back to 0).
  void mark_spread(uint32_t spread_id, bool placing);

  // Per spread key: (node_number, its pods of the key) for the nodes holding any; a short list
  // (at most the key's replicas), searched linearly.
  std::unordered_map<uint32_t, std::vector<std::pair<uint32_t, int>>> spread_nodes_;
  // What pods hold on nodes the view does not have, by node number: a node deleted while pods
  // are still bound to it, or one named by a bind before its own record. Taken by the node's
  // view when it comes (back); an entry goes with its last pod.
  struct absent_node {
    int64_t cpu_requested = 0, memory_requested = 0, pods = 0;
    std::multiset<std::pair<int32_t, std::string>> host_ports;
  };
  std::unordered_map<uint32_t, absent_node> absent_nodes_;
  std::vector<std::string> node_names_;  // by node_number - 1
  std::unordered_map<std::string, uint32_t> node_numbers_;
  void add_to_node(const pod_entry& entry, int sign);
  void upsert_node(const messages::node& n);
};

}  // namespace capstan::actors
