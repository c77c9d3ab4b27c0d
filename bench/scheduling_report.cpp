// The report half of bench/scheduling_run.hpp: the figures per pod, the table and the JSON
// line of a scheduling run's result.
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>

#include "bench/scheduling_run.hpp"

namespace capstan::bench {

double rss_bytes_per_pod(const scheduling_result& r) {
  if (r.options.pods <= 0 || r.rss_before_pods_mib < 0 || r.rss_after_pods_mib < 0)
    return 0;
  return (r.rss_after_pods_mib - r.rss_before_pods_mib) * 1048576.0 / r.options.pods;
}

double heap_bytes_per_pod(const scheduling_result& r) {
  if (r.options.pods <= 0 || r.heap_before_pods_bytes < 0 || r.heap_after_pods_bytes < 0)
    return 0;
  return double(r.heap_after_pods_bytes - r.heap_before_pods_bytes) / r.options.pods;
}

double master_heap_bytes_per_pod(const scheduling_result& r) {
  if (r.options.pods <= 0 || r.heap_before_pods_bytes < 0 || r.heap_after_pods_bytes < 0)
    return 0;
  const double before = double(r.heap_before_pods_bytes) - double(r.journal_before_pods.total());
  const double after = double(r.heap_after_pods_bytes) - double(r.journal_after_pods.total()) -
                       double(r.tracker_bytes);
  return (after - before) / r.options.pods;
}

std::string result_table(const scheduling_result& r) {
  const auto& o = r.options;
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line,
                "scheduling: %d nodes (%s), %d pods in RCs of %d, %s, journal synced by %d "
                "member%s, %s\n",
                o.nodes,
                o.remote_procs ? (std::to_string(o.remote_procs) + " remote processes").c_str()
                               : "in-process",
                o.pods, o.rc_size,
                o.rate > 0 ? ("offered at " + std::to_string(int(o.rate)) + " pods/s").c_str()
                           : "all offered at once",
                o.members, o.members > 1 ? "s" : "",
                o.snapshot_every ? ("a snapshot every " + std::to_string(o.snapshot_every) +
                                    " records").c_str()
                                 : "no snapshots");
  out << line;
  auto row = [&](const char* what, double rate, double seconds) {
    std::snprintf(line, sizeof line, "  %-28s %10.0f pods/s  (%.2f s)\n", what, rate, seconds);
    out << line;
  };
  row("created -> bound", r.bound_per_second, r.bound_seconds);
  row("created -> running", r.running_per_second, r.running_seconds);
  auto latency = [&](const char* what, const latency_summary& l) {
    std::snprintf(line, sizeof line,
                  "  %-28s p50 %8.1f ms  p90 %8.1f ms  p99 %8.1f ms  max %8.1f ms\n", what,
                  l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms);
    out << line;
  };
  latency("latency created -> bound", r.to_bound);
  latency("latency created -> running", r.to_running);
  std::snprintf(line, sizeof line, "  %-28s %10llu events, %.1f MiB, %.1f records per fsync\n",
                "journal", static_cast<unsigned long long>(r.journal_events),
                r.journal_bytes / 1048576.0, r.records_per_batch);
  out << line;
  std::snprintf(line, sizeof line, "  %-28s %10ld MiB\n", "master peak RSS", r.peak_rss_mib);
  out << line;
  std::snprintf(line, sizeof line,
                "  %-28s %10.0f bytes/pod  (RSS %ld MiB with the nodes, %ld MiB with the pods)\n",
                "process RSS per pod", rss_bytes_per_pod(r), r.rss_before_pods_mib,
                r.rss_after_pods_mib);
  out << line;
  if (r.heap_after_pods_bytes >= 0) {
    std::snprintf(line, sizeof line,
                  "  %-28s %10.0f bytes/pod  (heap %lld MiB with the nodes, %lld MiB with the pods)\n",
                  "heap allocated per pod", heap_bytes_per_pod(r),
                  static_cast<long long>(r.heap_before_pods_bytes >> 20),
                  static_cast<long long>(r.heap_after_pods_bytes >> 20));
    out << line;
    const auto& j = r.journal_after_pods;
    std::snprintf(line, sizeof line,
                  "  %-28s %10.0f bytes/pod  (less the journal's %llu MiB with the pods: "
                  "memtables %llu, block cache %llu, table readers %llu, replicated entries "
                  "%llu; and this benchmark's table, %llu MiB)\n",
                  "master heap per pod", master_heap_bytes_per_pod(r),
                  static_cast<unsigned long long>(j.total() >> 20),
                  static_cast<unsigned long long>(j.log.memtables >> 20),
                  static_cast<unsigned long long>(j.log.block_cache >> 20),
                  static_cast<unsigned long long>(j.log.table_readers >> 20),
                  static_cast<unsigned long long>(j.replicated_entries >> 20),
                  static_cast<unsigned long long>(r.tracker_bytes >> 20));
    out << line;
  }
  if (r.snapshots > 0) {
    std::snprintf(line, sizeof line,
                  "  %-28s %10llu written, longest %.2f s, read model held %.1f ms at most, "
                  "snapshot process %ld MiB of its own at most\n",
                  "snapshots", static_cast<unsigned long long>(r.snapshots),
                  r.snapshot_longest_seconds, r.snapshot_longest_pause_ms,
                  r.snapshot_process_private_mib);
    out << line;
  }
  for (const auto& m : r.milestones) {
    std::snprintf(line, sizeof line,
                  "  %-28s %10.0f pods/s since the last, at %.1f s, process RSS %ld MiB\n",
                  (std::to_string(m.pods) + " pods bound").c_str(), m.bound_per_second, m.seconds,
                  m.rss_mib);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-28s %10.0f events/s durable, while scheduling\n",
                "capstan journal", r.journal_events_per_second);
  out << line;
  if (r.etcd.ran) {
    std::snprintf(line, sizeof line,
                  "  %-28s %10.0f writes/s durable (%llu puts, %d clients, %.1f s): capstan "
                  "%.1fx\n",
                  o.members > 1 ? ("etcd anchor, " + std::to_string(o.members) + " members").c_str()
                                : "etcd anchor",
                  r.etcd.per_second, static_cast<unsigned long long>(r.etcd.writes),
                  o.etcd_clients, r.etcd.seconds, r.journal_events_per_second / r.etcd.per_second);
    out << line;
  } else if (o.etcd) {
    out << "  etcd anchor                  skipped: " << r.etcd.skipped << "\n";
  }
  out << r.footprint;
  return out.str();
}

nlohmann::json result_json(const scheduling_result& r) {
  auto latency = [](const latency_summary& l) {
    return nlohmann::json{
        {"p50_ms", l.p50_ms}, {"p90_ms", l.p90_ms}, {"p99_ms", l.p99_ms}, {"max_ms", l.max_ms}};
  };
  auto milestones = nlohmann::json::array();
  for (const auto& m : r.milestones)
    milestones.push_back({{"pods", m.pods},
                          {"seconds", m.seconds},
                          {"bound_per_second", m.bound_per_second},
                          {"rss_mib", m.rss_mib}});
  return {{"bench", "scheduling"},
          {"nodes", r.options.nodes},
          {"pods", r.options.pods},
          {"rc_size", r.options.rc_size},
          {"snapshot_every", r.options.snapshot_every},
          {"remote_procs", r.options.remote_procs},
          {"members", r.options.members},
          {"offered_pods_per_second", r.options.rate},
          {"bound_per_second", r.bound_per_second},
          {"running_per_second", r.running_per_second},
          {"created_to_bound", latency(r.to_bound)},
          {"created_to_running", latency(r.to_running)},
          {"journal_events", r.journal_events},
          {"journal_bytes", r.journal_bytes},
          {"records_per_batch", r.records_per_batch},
          {"peak_rss_mib", r.peak_rss_mib},
          {"snapshots",
           {{"written", r.snapshots},
            {"longest_seconds", r.snapshot_longest_seconds},
            {"longest_pause_ms", r.snapshot_longest_pause_ms},
            {"process_private_mib", r.snapshot_process_private_mib}}},
          {"rss_before_pods_mib", r.rss_before_pods_mib},
          {"rss_after_pods_mib", r.rss_after_pods_mib},
          {"rss_bytes_per_pod", rss_bytes_per_pod(r)},
          {"heap_before_pods_bytes", r.heap_before_pods_bytes},
          {"heap_after_pods_bytes", r.heap_after_pods_bytes},
          {"heap_bytes_per_pod", heap_bytes_per_pod(r)},
          {"journal_memory_before_pods_bytes", r.journal_before_pods.total()},
          {"journal_memory_after_pods",
           {{"memtables", r.journal_after_pods.log.memtables},
            {"block_cache", r.journal_after_pods.log.block_cache},
            {"table_readers", r.journal_after_pods.log.table_readers},
            {"replicated_entries", r.journal_after_pods.replicated_entries}}},
          {"benchmark_table_bytes", r.tracker_bytes},
          {"master_heap_bytes_per_pod", master_heap_bytes_per_pod(r)},
          {"milestones", milestones},
          {"journal_events_per_second", r.journal_events_per_second},
          {"etcd", r.etcd.ran ? nlohmann::json{{"writes", r.etcd.writes},
                                               {"clients", r.options.etcd_clients},
                                               {"seconds", r.etcd.seconds},
                                               {"writes_per_second", r.etcd.per_second},
                                               {"capstan_ratio",
                                                r.journal_events_per_second / r.etcd.per_second}}
                              : nlohmann::json{{"skipped", r.etcd.skipped}}}};
}

}  // namespace capstan::bench
