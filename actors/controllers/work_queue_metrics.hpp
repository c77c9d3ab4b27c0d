// What /metrics shows of each controller's work queue (client-go's workqueue metrics): depth,
// adds, retries, and how long syncs take. Written by the one actor that owns the queue, read by
// the API server's /metrics: every counter is atomic, nothing else is shared.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace capstan::actors {

struct work_queue_metrics {
  // Upper bounds of the sync-latency histogram, in seconds (the last bucket is +Inf).
  static constexpr std::array<double, 8> latency_buckets = {0.001, 0.005, 0.01, 0.05,
                                                            0.1,   0.5,   1,    5};

  explicit work_queue_metrics(std::string queue_name) : name(std::move(queue_name)) {
  }

  const std::string name;             // the controller: "replication-manager", ...
  std::atomic<uint64_t> depth{0};     // keys queued and ready
  std::atomic<uint64_t> waiting{0};   // keys waiting for their back-off to end
  std::atomic<uint64_t> in_flight{0};  // keys being synced
  std::atomic<uint64_t> adds{0};      // keys added (counting those already queued)
  std::atomic<uint64_t> retries{0};   // keys requeued after a failed sync
  std::atomic<uint64_t> syncs{0};     // syncs finished, well or not
  std::atomic<uint64_t> latency_micros_sum{0};
  std::array<std::atomic<uint64_t>, latency_buckets.size()> latency_counts{};  // cumulative

  void observe_sync(std::chrono::steady_clock::duration took) {
    double seconds = std::chrono::duration<double>(took).count();
    for (std::size_t i = 0; i < latency_buckets.size(); ++i)
      if (seconds <= latency_buckets[i])
        latency_counts[i].fetch_add(1, std::memory_order_relaxed);
    latency_micros_sum.fetch_add(
        static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count()),
        std::memory_order_relaxed);
    syncs.fetch_add(1, std::memory_order_relaxed);
  }
};

// One queue per controller loop of the master, in a fixed order (for /metrics).
struct controller_metrics {
  work_queue_metrics scheduler{"scheduler"};
  work_queue_metrics replication{"replication-manager"};
  work_queue_metrics endpoints{"endpoints-controller"};
  work_queue_metrics namespaces{"namespace-controller"};
  work_queue_metrics service_accounts{"serviceaccount-controller"};

  std::array<const work_queue_metrics*, 5> all() const {
    return {&scheduler, &replication, &endpoints, &namespaces, &service_accounts};
  }
};

}  // namespace capstan::actors
