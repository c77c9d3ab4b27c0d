// /metrics in the Prometheus text format: API requests (count and latency), journal appends,
// the work queues of the scheduler and the controllers (depth, retries, sync latency),
// applied events by name (scheduler binds are PodBound), and pods by phase.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "actors/master/master.hpp"

namespace capstan::api {

class api_metrics {
public:
  // Records one request; thread-safe.
  void observe(const std::string& verb, int code, double seconds);
  std::string render(const actors::master& master) const;

private:
  static constexpr double buckets_[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  uint64_t bucket_counts_[8] = {};
  uint64_t latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace capstan::api
