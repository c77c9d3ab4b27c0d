// The master: opens the journal, rebuilds state (snapshot + tail), and runs the actor system
// of the control plane on it. Owns everything it starts; destruction is a clean shutdown.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/journal/journal_actor.hpp"
#include "actors/master/control_plane.hpp"
#include "actors/master/forwarded_commands.hpp"
#include "common/pki.hpp"
#include "messages/node_protocol.hpp"
#include "store/history_index.hpp"
#include "store/moment_cache.hpp"
#include "store/raft_tls_transport.hpp"
#include "store/replicated_log.hpp"
#include "store/restore.hpp"

namespace capstan::store {
class peer_forward_channel;
}

namespace capstan::actors {

class join_port_guard;
class forwarded_write_pool;

struct master_config {
  std::string data_dir;
  // Records between background snapshots (0: never), and never fewer than the objects the
  // last snapshot held: a snapshot costs in proportion to the state, so at most about one
  // record's worth of snapshot work is done per record, and a restart replays a tail no
  // longer than the state it loads.
  uint64_t snapshot_every = 100000;
  // Snapshots kept (the newest): a moment of the past is rebuilt from the newest one before it,
  // so with 100,000 records between them no moment needs more than that many replayed, as far
  // back as they reach (earlier moments replay from the first record).
  std::size_t snapshots_kept = 12;
  // Space kept in DATA/journal.reserve and given back when the journal is reopened, so that a
  // master restarts on a full disk (store/disk_reserve.hpp). 0: none.
  uint64_t journal_reserve_bytes = 0;
  allocator_config allocators;
  node_lifecycle_config lifecycle;
  scheduler_config scheduler;
  // The API server's CA (DATA/tls/ca.crt): the ca.crt of service-account token Secrets.
  std::string api_ca_pem;
  // The address in the service range every node answers DNS at ("" : no cluster DNS), shown
  // as the Service kube-system/kube-dns, and the cluster domain.
  std::string cluster_dns = "10.254.0.10";
  std::string cluster_domain = "cluster.local";
  // How pods reach other nodes, which every node follows (told at its join): a VXLAN overlay
  // (flannel's VNI 1 and UDP port 8472 by default) or routes to the nodes' addresses.
  messages::pod_network_settings pod_network{std::string(messages::pod_network_vxlan), 1, 8472};
  // Lets proven nodes' connections past the join port's handshake deadline (master_command
  // owns it; null in tests and benchmarks without a join port).
  join_port_guard* join_guard = nullptr;
  // Several masters (issue #20): this master is a member of a replicated journal reachable at
  // `peer_address` over mutual TLS. Without `tls`, the master is a cluster of itself alone
  // (no port) and leads from its start.
  struct membership_config {
    uint64_t member_id = 1;
    std::string peer_address;
    std::optional<store::raft_tls_config> tls;
    // A new member: true, it starts a cluster of `initial_members` (empty: itself alone); false,
    // it waits to be added by the leader of an existing one.
    bool bootstrap = true;
    std::vector<store::replicated_member> initial_members;
  } membership;
  // Called (on the master's roles thread) when this master starts or stops leading: after the
  // leader's actors run, before they stop. Not called for the leadership taken in the
  // constructor (node_gateway() is valid once it returns).
  std::function<void(bool leading)> on_leadership;
};

class master {
public:
  // Opens DATA/journal and the replicated log under it (DATA/raft: C-Raft), applies what the
  // log committed and the journal lacks, restores the read model. A master alone waits until
  // it leads; a member of several does not. Only the leader runs the control plane and the node
  // gateway (started from the read model when it takes the lead, stopped when it loses it);
  // every member keeps its read model and journal following the replicated log, and serves
  // reads. Throws store::store_error.
  master(caf::actor_system& system, master_config config);
  // Clean shutdown: actors stop, the journal commits what it has, a snapshot is written when
  // it can be (a full disk, say, skips it: the journal alone restores the same state) and
  // when it is worth one: not for fewer records after the newest snapshot than a tenth of
  // the snapshot interval, which would push an older snapshot (past moments' reach) out of
  // the kept ones. The read model stays readable (it then shows the final state). Idempotent.
  // Never throws. Returns why no snapshot was written (the newest one already holds the
  // state, say); empty when one was.
  std::string stop();
  ~master();
  master(const master&) = delete;
  master& operator=(const master&) = delete;

  const read_model& model() const { return *model_; }
  const store::restore_stats& restored() const { return restored_; }
  // The leader's actors; invalid handles while this master does not lead. Safe from any
  // thread.
  registry_actor registry(object_kind kind) const;
  journal_actor journal() const { return journal_; }
  node_lifecycle_actor lifecycle() const;
  // Where node agents join (publish it on the --join address): the interface they see.
  messages::node_gateway_actor node_gateway() const;
  // Whether this master runs the leader's actors now.
  bool leading() const;
  // What the background snapshots have cost since start (store/snapshot_process.hpp).
  struct snapshot_costs {
    uint64_t written = 0;
    double longest_pause_seconds = 0;  // the read model held for one (its lock)
    double longest_seconds = 0;        // one written and durable
    uint64_t most_private_bytes = 0;   // memory a snapshot process held alone
  };
  snapshot_costs snapshots_written() const;
  // The masters of the cluster and the leader as this one sees them; this master's id. A
  // master alone: no members listed.
  store::replicated_membership members() const { return writer_->membership(); }
  uint64_t member_id() const { return config_.membership.member_id; }
  // Whether this master is one of several (it talks to other members), even before it knows
  // them (a new member waiting to be added).
  bool one_of_several() const { return replicated_ != nullptr; }
  // The CA whose certificates prove nodes (DATA/tls/client-ca.crt and .key, created on first
  // start): the bootstrap endpoint and in-process simulated nodes issue from it.
  const common::certificate_authority& node_authority() const { return *node_authority_; }
  // The key that signs service-account tokens (DATA/service-account.key: 64 hex digits, 0600,
  // created on first start; a new key voids every token, and the controller writes new ones).
  const std::string& service_account_key() const { return service_account_key_; }
  store::journal_writer_stats journal_stats() const { return writer_->stats(); }
  store::journal_memory journal_memory() const { return writer_->memory(); }
  // The work queues of the scheduler and the controllers (the current leader's; empty while
  // not leading). Safe from any thread.
  const controller_metrics& controller_queues() const;
  // Why the journal refuses appends now (a full disk, say); empty while it takes them.
  // Safe from any thread while the master runs.
  std::string journal_failure() const;

  // Sends every committed batch to `subscriber`.
  void subscribe(batch_subscriber_actor subscriber);
  // Calls `sink` (on the commit thread; it must not block) with every committed record from
  // `from` on: first those in the journal, then live. For watch streams on non-actor threads.
  uint64_t watch(uint64_t from, store::journal_writer::subscriber sink);
  void unwatch(uint64_t id);

  // Blocking forms for the API, tools and tests (never from inside an actor). A follower
  // forwards them to the leader (actors/master/write_forwarding.hpp) and answers once its own
  // read model holds the change (at most 10 s later), so that a client reads its own writes
  // from it; without a leader to forward to: error_code::unavailable.
  command_reply create(any_object object, const std::string& cause, bool dry_run = false);
  command_reply command(object_command command);
  // Adds a master to the cluster (made a voter once it has caught up: the member must run,
  // waiting to be added, at `address`) or removes one; carried out by the leader, forwarded
  // there from a follower. Refused, changing nothing: an id or address that clashes with
  // another member's (already_exists), removing a master that is not a member (not_found) or
  // the last voter, or while another change is under way (conflict); a master alone
  // (unavailable). Answered ok once the change is committed.
  command_reply change_members(membership_command change);

  // The `kubernetes` Service of namespace default (ClusterIP the first address of the service
  // range, port 443 "https") and its Endpoints: the API at `ip`:`port`, what pods reach with
  // their service-account tokens. Each written only when missing or different (a restart on the
  // same address adds no record); no Endpoints (deleted if there were) when `ip` is no
  // address a pod can reach: unspecified (0.0.0.0, ::) or loopback.
  // Returns what went wrong, empty when all is in place.
  std::string ensure_api_service(const std::string& ip, uint16_t port);

  // The Service kube-system/kube-dns (k8s-app: kube-dns) with ClusterIP config.cluster_dns,
  // ports 53/UDP "dns" and 53/TCP "dns-tcp", no selector and no Endpoints: every node answers
  // that address itself. Written only when missing (its address is then reserved); nothing when
  // cluster_dns is "". Returns what went wrong (the address outside the service range or
  // taken by another Service), empty when all is in place.
  std::string ensure_dns_service();

  // Writes a snapshot of the current state now.
  void snapshot();

  // Audit: the records about one object (or every record when `name` is empty) with
  // from <= seq <= to, at most `limit` of the newest; and the whole state right after `seq`.
  // Reads the journal; safe from any thread.
  std::vector<messages::journal_record> history(std::optional<object_kind> kind,
                                                const std::string& ns, const std::string& name,
                                                uint64_t from, uint64_t to,
                                                std::size_t limit) const;
  // Calls `use` with the whole state right after record `seq` (at most the read model's), on
  // the calling thread: past moments are rebuilt one at a time, and the last one is kept a
  // minute (store/moment_cache.hpp). Reads the journal; safe from any thread.
  void with_state_at(uint64_t seq,
                     const std::function<void(const store::cluster_state&)>& use) const;
  // Visits the durable records from <= seq <= to in order, until `visit` returns false.
  // Reads the journal; safe from any thread.
  void read_journal(uint64_t from, uint64_t to,
                    const std::function<bool(messages::journal_record&&)>& visit) const;
  // The same for the records `seqs` names, in that order: point reads batched, for the records
  // the history index names.
  void read_journal_records(const std::vector<uint64_t>& seqs,
                            const std::function<bool(messages::journal_record&&)>& visit) const;
  // The last sequence number committed at or before `nanos` (Unix epoch), 0 if none.
  uint64_t seq_at_time(int64_t nanos) const;
  // The journal's history index (which records are about an object, a cause, a name; the
  // timeline). Built on a thread of its own from start: until ready() it knows only part of
  // the journal, and callers read the journal instead.
  const store::history_index& history_index() const { return *history_; }

private:
  // Starts the leader's actors from the read model (then the default namespaces and roles);
  // stops them. Roles thread (or the constructor) only.
  // take: false (nothing started) when the read model did not catch up with the journal.
  bool take_leader_roles(uint64_t term);
  void drop_leader_roles();
  void keep_metrics(std::shared_ptr<controller_metrics> metrics);  // under roles_mutex_
  command_reply unanswered(const caf::error& e) const;
  // The leader's own handling of a command (unavailable while this master does not lead),
  // and a follower's forwarding of it. A registry answers once the journal has the change: a
  // minute covers a slow disk; one stopped while it worked on the command (the lead was lost)
  // never answers.
  command_reply run_here(forwarded_command command,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  command_reply run_on_leader(const forwarded_command& command);
  // run_here's part for membership commands (actors/master/master_members.cpp).
  command_reply change_members_here(const membership_command& change,
                                    std::chrono::milliseconds timeout);
  void watch_leadership();
  void ensure_namespace(const std::string& name);
  // Kubernetes' bootstrap roles and bindings (auth/default_policy.hpp), each created when it
  // does not exist: a restart adds no record, and a default a user changed stays changed.
  void ensure_rbac_defaults();
  void snapshot_loop();
  void stop_actors();

  caf::actor_system& system_;
  master_config config_;
  std::unique_ptr<store::event_log> log_;
  std::unique_ptr<store::moment_cache> moments_;  // past moments of log_
  store::restore_stats restored_;
  std::unique_ptr<read_model> model_;
  std::unique_ptr<common::certificate_authority> node_authority_;
  std::string service_account_key_;
  // Carries out the writes followers forward. Declared before writer_: the members' port (in
  // the replicated log) hands it requests until the log is gone. Closed before anything it
  // uses goes (stop(), or a constructor that fails).
  std::unique_ptr<forwarded_write_pool> forwarded_writes_;
  // Where this master forwards its clients' writes while it follows (one TLS connection to the
  // leader, many writes at once). Closed first in stop(): what waits is answered.
  std::unique_ptr<store::peer_forward_channel> forward_channel_;
  // Fed by writer_'s commit thread: declared before it, so that it outlives it.
  std::unique_ptr<store::history_index> history_;
  std::unique_ptr<store::journal_writer> writer_;
  store::replicated_log* replicated_ = nullptr;  // writer_'s engine; null for a master alone
  std::unique_ptr<batch_fanout> fanout_;
  journal_actor journal_;
  mutable std::mutex roles_mutex_;  // guards the leader's handles below
  master_gateway_actor gateway_;
  control_plane actors_;
  bool leading_roles_ = false;
  uint64_t roles_term_ = 0;  // the term the leader's actors run in (0: none)
  // Every generation's work-queue figures: /metrics may hold one while the lead changes.
  std::vector<std::shared_ptr<controller_metrics>> all_metrics_;
  std::condition_variable roles_wake_;
  bool roles_stopping_ = false;  // guarded by roles_mutex_
  std::thread roles_thread_;
  // Background snapshots.
  mutable std::mutex snapshot_mutex_;  // guards stopping_ and snapshot_costs_
  std::condition_variable snapshot_wake_;
  snapshot_costs snapshot_costs_;
  std::atomic<uint64_t> last_snapshot_seq_{0};
  // Records from the last snapshot to the next: max(snapshot_every, its objects).
  std::atomic<uint64_t> snapshot_interval_{0};
  bool snapshot_due(uint64_t seq) const;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread snapshot_thread_;
  std::thread history_thread_;  // builds history_ from the journal, then ends
};

}  // namespace capstan::actors
