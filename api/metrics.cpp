#include "api/metrics.hpp"

#include <sstream>

namespace capstan::api {

void api_metrics::observe(const std::string& verb, int code, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{verb, code}];
  for (std::size_t i = 0; i < std::size(buckets_); ++i)
    if (seconds <= buckets_[i])
      ++bucket_counts_[i];
  ++latency_count_;
  latency_sum_ += seconds;
}

std::string api_metrics::render(const actors::master& master) const {
  std::ostringstream out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out << "# HELP capstan_apiserver_requests_total API requests by verb and HTTP code.\n"
        << "# TYPE capstan_apiserver_requests_total counter\n";
    for (const auto& [key, n] : requests_)
      out << "capstan_apiserver_requests_total{verb=\"" << key.first << "\",code=\"" << key.second
          << "\"} " << n << "\n";
    out << "# HELP capstan_apiserver_request_duration_seconds API request latency.\n"
        << "# TYPE capstan_apiserver_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < std::size(buckets_); ++i)
      out << "capstan_apiserver_request_duration_seconds_bucket{le=\"" << buckets_[i] << "\"} "
          << bucket_counts_[i] << "\n";
    out << "capstan_apiserver_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count_
        << "\n"
        << "capstan_apiserver_request_duration_seconds_sum " << latency_sum_ << "\n"
        << "capstan_apiserver_request_duration_seconds_count " << latency_count_ << "\n";
  }
  auto journal = master.journal_stats();
  out << "# HELP capstan_journal_appended_records_total Records made durable since start.\n"
      << "# TYPE capstan_journal_appended_records_total counter\n"
      << "capstan_journal_appended_records_total " << journal.records << "\n"
      << "# HELP capstan_journal_batches_total Synced write batches (group commits) since start.\n"
      << "# TYPE capstan_journal_batches_total counter\n"
      << "capstan_journal_batches_total " << journal.batches << "\n"
      << "# HELP capstan_journal_bytes_total Bytes appended since start.\n"
      << "# TYPE capstan_journal_bytes_total counter\n"
      << "capstan_journal_bytes_total " << journal.bytes << "\n"
      << "# HELP capstan_journal_last_sequence The newest record (resourceVersion).\n"
      << "# TYPE capstan_journal_last_sequence gauge\n"
      << "capstan_journal_last_sequence " << master.model().seq() << "\n";
  out << "# HELP capstan_events_applied_total Journal records applied since start, by event.\n"
      << "# TYPE capstan_events_applied_total counter\n";
  uint64_t binds = 0;
  for (const auto& [name, n] : master.model().applied_events()) {
    out << "capstan_events_applied_total{event=\"" << name << "\"} " << n << "\n";
    if (name == "PodBound")
      binds = n;
  }
  out << "# HELP capstan_scheduler_binds_total Pods bound since start.\n"
      << "# TYPE capstan_scheduler_binds_total counter\n"
      << "capstan_scheduler_binds_total " << binds << "\n";
  std::map<std::string, uint64_t> phases = {
      {"Pending", 0}, {"Running", 0}, {"Succeeded", 0}, {"Failed", 0}, {"Unknown", 0}};
  master.model().read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(messages::object_kind::pod))
      ++phases[std::get<messages::pod>(o).status.phase.empty()
                   ? "Pending"
                   : std::get<messages::pod>(o).status.phase];
  });
  out << "# HELP capstan_pods Pods by phase.\n# TYPE capstan_pods gauge\n";
  for (const auto& [phase, n] : phases)
    out << "capstan_pods{phase=\"" << phase << "\"} " << n << "\n";
  return out.str();
}

}  // namespace capstan::api
