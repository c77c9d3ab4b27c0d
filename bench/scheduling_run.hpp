// The scheduling benchmark (issue 7): a master with a durable, synced journal in a temp dir
// (alone, or the leader of several members: the others beside it in this process, on loopback
// over mutual TLS, as bench/raft_replicas.hpp), N simulated nodes (in-process fake nodes, or P remote `capstan node --runtime fake` processes
// joining over CAF like real agents), M pods in RCs of K. Measures pods bound and running per
// second, create->bound and create->running latencies from the journal's own record times,
// the master's peak RSS, journal events and bytes; and, every `milestone_pods` pods bound, the
// pace since the last milestone and the process's RSS at that moment.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/etcd_anchor.hpp"
#include "store/journal_writer.hpp"

namespace capstan::bench {

struct scheduling_options {
  int nodes = 1000;
  int pods = 50000;
  int rc_size = 100;
  int remote_procs = 0;        // 0: nodes in-process
  int members = 1;             // members of the replicated journal (the master leads them)
  double rate = 0;             // offered load in pods/s (RCs created at this pace); 0: all at once
  std::string capstan_binary;  // for remote node processes
  bool progress = true;        // a line on stderr every second
  bool etcd = true;            // the durability anchor: as many writes into etcd afterwards
  int etcd_clients = 64;       // spread over as many etcd members as `members`
  bool footprint = false;      // the read model's pods and nodes, field by field, at the end
  int milestone_pods = 100000;  // a line with pace and RSS every this many pods bound
  // Records between the master's background snapshots, as `capstan master --snapshot-every`
  // (its default): a snapshot's memory and pause belong to what the master costs. 0: none.
  uint64_t snapshot_every = 100000;
};

// The moment `pods` pods were bound: seconds since the first RC was created, pods bound per
// second since the previous milestone of an earlier time, and the process's RSS when the
// benchmark saw it.
struct bound_milestone {
  int pods = 0;
  double seconds = 0;
  double bound_per_second = 0;
  long rss_mib = 0;
};

struct latency_summary {
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

struct scheduling_result {
  scheduling_options options;
  double bound_seconds = 0, running_seconds = 0;
  double bound_per_second = 0, running_per_second = 0;
  latency_summary to_bound, to_running;
  uint64_t journal_events = 0, journal_bytes = 0;
  double records_per_batch = 0;
  long peak_rss_mib = 0;
  long rss_before_pods_mib = 0;  // the process's RSS with the nodes registered, before any RC
  long rss_after_pods_mib = 0;   // ... and with every pod running
  // The heap the process holds in allocations at the same two moments, in bytes (-1: unknown):
  // the part of its RSS that is data, not the allocator's free pages.
  int64_t heap_before_pods_bytes = -1;
  int64_t heap_after_pods_bytes = -1;
  // Of that heap: what the journal holds in memory (RocksDB's memtables, block cache and table
  // readers, the replicated log's entries) at the two moments, and this benchmark's own table of
  // pods at the second.
  store::journal_memory journal_before_pods;
  store::journal_memory journal_after_pods;
  uint64_t tracker_bytes = 0;
  // The master's background snapshots during the run (actors::master::snapshots_written):
  // the memory a snapshot process held alone is not in the master's RSS, so it is shown here.
  uint64_t snapshots = 0;
  double snapshot_longest_pause_ms = 0;
  double snapshot_longest_seconds = 0;
  long snapshot_process_private_mib = 0;
  std::vector<bound_milestone> milestones;
  double journal_events_per_second = 0;  // journal events / running time (while scheduling)
  etcd_result etcd;                      // the same number of writes of the same mean size
  std::string footprint;                 // the read model's bytes by field (options.footprint)
};

// Runs one benchmark; throws std::runtime_error when it cannot, or gives up after 600 s or a
// millisecond per pod, whichever is longer.
scheduling_result run_scheduling(const scheduling_options& options);

// What the process grew by per pod: RSS with every pod running, less RSS with the nodes alone,
// over the pods (the read model, the journal's caches, the nodes' pods, this benchmark's tracker).
double rss_bytes_per_pod(const scheduling_result& r);
// The heap allocated per pod between the same two moments (0 when the allocator cannot tell).
double heap_bytes_per_pod(const scheduling_result& r);
// The same less the journal's memory and this benchmark's table: the master's own data per pod,
// the figure issue 22 bounds ("beyond the journal's cache").
double master_heap_bytes_per_pod(const scheduling_result& r);

std::string result_table(const scheduling_result& r);
nlohmann::json result_json(const scheduling_result& r);

}  // namespace capstan::bench
