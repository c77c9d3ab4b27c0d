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

namespace {

// client-go's workqueue metrics, one series per controller (label `name`).
void render_work_queues(std::ostream& out, const actors::controller_metrics& queues) {
  auto gauge = [&](const char* metric, const char* help, auto value_of) {
    out << "# HELP " << metric << " " << help << "\n# TYPE " << metric << " gauge\n";
    for (const auto* q : queues.all())
      out << metric << "{name=\"" << q->name << "\"} " << value_of(*q) << "\n";
  };
  auto counter = [&](const char* metric, const char* help, auto value_of) {
    out << "# HELP " << metric << " " << help << "\n# TYPE " << metric << " counter\n";
    for (const auto* q : queues.all())
      out << metric << "{name=\"" << q->name << "\"} " << value_of(*q) << "\n";
  };
  using q = actors::work_queue_metrics;
  gauge("capstan_workqueue_depth", "Keys queued and ready to sync, per controller.",
        [](const q& m) { return m.depth.load(); });
  gauge("capstan_workqueue_waiting", "Keys waiting for their back-off to end, per controller.",
        [](const q& m) { return m.waiting.load(); });
  gauge("capstan_workqueue_in_flight", "Keys being synced, per controller.",
        [](const q& m) { return m.in_flight.load(); });
  counter("capstan_workqueue_adds_total", "Keys added to the queue, per controller.",
          [](const q& m) { return m.adds.load(); });
  counter("capstan_workqueue_retries_total",
          "Keys queued again after a failed sync (each failure is logged), per controller.",
          [](const q& m) { return m.retries.load(); });
  out << "# HELP capstan_workqueue_work_duration_seconds How long a sync takes, its writes "
         "included, per controller.\n"
      << "# TYPE capstan_workqueue_work_duration_seconds histogram\n";
  for (const auto* m : queues.all()) {
    std::string name = "name=\"" + m->name + "\"";
    for (std::size_t i = 0; i < q::latency_buckets.size(); ++i)
      out << "capstan_workqueue_work_duration_seconds_bucket{" << name << ",le=\""
          << q::latency_buckets[i] << "\"} " << m->latency_counts[i].load() << "\n";
    out << "capstan_workqueue_work_duration_seconds_bucket{" << name << ",le=\"+Inf\"} "
        << m->syncs.load() << "\n"
        << "capstan_workqueue_work_duration_seconds_sum{" << name << "} "
        << static_cast<double>(m->latency_micros_sum.load()) / 1e6 << "\n"
        << "capstan_workqueue_work_duration_seconds_count{" << name << "} " << m->syncs.load()
        << "\n";
  }
}

}  // namespace

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
  render_work_queues(out, master.controller_queues());
  out << "# HELP capstan_pods Pods by phase.\n# TYPE capstan_pods gauge\n";
  for (const auto& [phase, n] : phases)
    out << "capstan_pods{phase=\"" << phase << "\"} " << n << "\n";
  return out.str();
}

}  // namespace capstan::api
