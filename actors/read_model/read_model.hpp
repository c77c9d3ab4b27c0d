// The read side of the master (CQRS): every object as of the last committed record, indexed
// for the queries the API and the controllers make. Fed by the journal's commit thread; read
// from any thread (HTTP threads, actors) without asking actors.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "actors/read_model/derived_events.hpp"
#include "auth/rbac_policy.hpp"
#include "messages/field_selector.hpp"
#include "messages/label_selector.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

using messages::any_object;
using messages::object_kind;
using store::object_key;

// Thread-safety: all members may be called from any thread. Readers share a lock; `apply`
// takes it exclusively for one committed batch.
class read_model {
public:
  explicit read_model(store::cluster_state initial);

  // Applies one committed batch (in sequence order). Called by the journal's commit thread
  // before the batch's appends are acknowledged, so an acknowledged write is readable.
  void apply(const std::vector<messages::journal_record>& records);

  // Events a node reported (derived_events::report), under the exclusive lock; each counts
  // only while its pod exists with that uid.
  void record_reported_events(std::vector<reported_event> events);

  // store::check_appends against the current state, under the shared lock: the journal
  // writer's pre-write check.
  std::vector<std::string> check_appends(
      const std::vector<const std::vector<messages::journal_record>*>& appends) const;

  uint64_t seq() const;
  std::optional<any_object> get(object_kind kind, const object_key& key) const;
  // Runs `visit` with the object (nullptr when there is none) under the shared lock, without
  // a copy. `visit` must not keep the pointer or block.
  void read_object(object_kind kind, const object_key& key,
                   const std::function<void(const any_object*)>& visit) const;

  struct list_result {
    uint64_t seq = 0;  // the list's resourceVersion
    std::vector<any_object> items;
  };
  // Objects of `kind` in `namespace_` (empty: all namespaces) matching both selectors.
  list_result list(object_kind kind, const std::string& namespace_,
                   const messages::label_selector& labels = {},
                   const messages::field_selector& fields = {}) const;

  // Runs `visit` with the state under a shared lock (no copies). `visit` must not block.
  void read(const std::function<void(const store::cluster_state&)>& visit) const;
  // Pods of `namespace_` whose labels match `selector`, via the label index, under the lock.
  void for_each_pod(const std::string& namespace_, const messages::label_selector& selector,
                    const std::function<void(const messages::pod&)>& visit) const;
  // Pods bound to `node`, via the node index, under the lock (no copies).
  void for_each_pod_on_node(
      const std::string& node,
      const std::function<void(const store::cluster_state&, const messages::pod&)>& visit) const;
  // The names pods are bound to (nodes that exist or not), via the node index.
  std::vector<std::string> nodes_with_pods() const;
  // The same pods all at once, in place: `visit` sees them under the lock and must not keep
  // the pointers or block.
  void with_pods(const std::string& namespace_, const messages::label_selector& selector,
                 const std::function<void(const std::vector<const messages::pod*>&)>& visit) const;

  // Waits until `predicate` holds for the state (checked after every batch) or `timeout`
  // passes; returns whether it held. For tools and tests that wait for an outcome.
  bool wait_until(const std::function<bool(const store::cluster_state&)>& predicate,
                  std::chrono::milliseconds timeout) const;

  // A full copy, for snapshots and restart comparisons.
  store::cluster_state copy_state() const;

  // Who may do what: the RBAC objects as of the last committed batch, indexed. An RBAC change
  // is in force as soon as it is acknowledged. The value is immutable; a new one replaces it.
  std::shared_ptr<const auth::rbac_policy> policy() const;

  // How many records of each event name ("PodBound", ...) were applied since start.
  std::map<std::string, uint64_t> applied_events() const;

private:
  // A pod's entry in state_'s pod table: the indexes point at it rather than copy its key. An
  // entry stays where it is while the pod exists (apply() assigns to it in place); the indexes
  // let go of it before a record that may delete it applies.
  using pod_entry = store::cluster_state::table::value_type;
  struct by_key {
    bool operator()(const pod_entry* a, const pod_entry* b) const { return a->first < b->first; }
  };
  using pod_set = std::set<const pod_entry*, by_key>;  // in key order, as lists are

  // Rebuilds policy_ from the RBAC objects in state_ (under the exclusive lock).
  void rebuild_policy();
  const pod_entry* find_pod_entry(const object_key& key) const;
  void index_pod(const pod_entry& entry);
  void unindex_pod(const pod_entry& entry);
  template <class F>
  void candidates(object_kind kind, const std::string& ns, const messages::label_selector& labels,
                  const messages::field_selector& fields, F&& visit) const;

  mutable std::shared_mutex mutex_;
  mutable std::condition_variable_any changed_;
  store::cluster_state state_;
  derived_events events_;
  // Records applied per (kind, event type), and the name of each slot once seen: counting
  // must not build a string per record.
  static constexpr std::size_t event_types = std::variant_size_v<messages::domain_event>;
  std::array<std::array<uint64_t, event_types>, messages::object_kind_count> applied_{};
  std::array<std::array<std::string, event_types>, messages::object_kind_count> applied_names_;
  // Pod indexes: node name -> pods; "namespace\nkey=value" -> pods (of that namespace).
  std::unordered_map<std::string, pod_set> pods_by_node_;
  std::unordered_map<std::string, pod_set> pods_by_label_;
  mutable std::mutex policy_mutex_;  // guards the pointer only
  std::shared_ptr<const auth::rbac_policy> policy_;
};

}  // namespace capstan::actors
