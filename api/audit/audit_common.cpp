#include "api/audit/audit_common.hpp"

#include "api/request_params.hpp"

#include <algorithm>

namespace capstan::api::audit {

using namespace messages;

json record_json(const journal_record& rec) {
  return {{"seq", rec.seq},
          {"time", timestamp{rec.time_nanos / 1000000000}.to_rfc3339()},
          {"timeNanos", rec.time_nanos},
          {"cause", rec.cause},
          {"event", event_name(rec)},
          {"kind", std::string(info(rec.kind).name)},
          {"resource", std::string(info(rec.kind).resource)},
          {"namespace", rec.namespace_},
          {"name", rec.name},
          {"change", change_summary(rec)}};
}

json object_json(const any_object& object) {
  json item = to_json(object);
  if (std::holds_alternative<secret>(object)) {
    if (item.contains("data"))
      for (auto& [key, value] : item["data"].items())
        value = "(redacted)";
    // Annotations too: kubectl apply's last-applied-configuration holds the values.
    if (item["metadata"].contains("annotations"))
      for (auto& [key, value] : item["metadata"]["annotations"].items())
        value = "(redacted)";
  }
  return item;
}

std::string param(const http_request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

std::variant<uint64_t, std::string> moment(const actors::master& master, const http_request& req,
                                           const char* seq_name, const char* time_name,
                                           uint64_t fallback) {
  const uint64_t end = master.model().seq();
  if (auto text = param(req, time_name); !text.empty()) {
    auto t = timestamp::parse_rfc3339(text);
    if (!t)
      return std::string(time_name) + " must be RFC 3339, such as 2026-11-22T01:00:00Z";
    return master.seq_at_time(nanos_of(t->seconds + 1) - 1);
  }
  if (!param(req, seq_name).empty()) {
    auto seq = query_number(req, seq_name, 0);
    if (!seq)
      return std::string(seq_name) + " is a sequence number";
    if (*seq > end)
      return "the journal ends at " + std::to_string(end);
    return *seq;
  }
  return std::min(fallback, end);
}

int64_t nanos_of(int64_t seconds) {
  constexpr int64_t most = INT64_MAX / 1000000000LL;
  return std::clamp<int64_t>(seconds, 0, most) * 1000000000LL;
}

std::string time_of(const actors::master& master, uint64_t seq) {
  int64_t nanos = seq ? master.history_index().time_of(seq) : 0;
  if (!nanos && seq)
    master.read_journal(seq, seq, [&](journal_record&& r) {
      nanos = r.time_nanos;
      return false;
    });
  return nanos ? timestamp{nanos / 1000000000}.to_rfc3339() : std::string();
}

}  // namespace capstan::api::audit
