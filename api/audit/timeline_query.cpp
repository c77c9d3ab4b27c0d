#include "api/audit/timeline_query.hpp"

#include "api/audit/audit_common.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"

namespace capstan::api::audit {

using namespace messages;

namespace {

std::string rfc3339(int64_t nanos) {
  return timestamp{nanos / 1000000000}.to_rfc3339();
}

}  // namespace

http_response timeline_query(const actors::master& master, const http_request& req) {
  const auto& index = master.history_index();
  if (!index.ready()) {
    auto r = status_error(503, "ServiceUnavailable",
                          "the history index is being built from the journal; ask again soon");
    r.retry_after_seconds = 1;
    return r;
  }
  auto buckets = query_number(req, "buckets", 120), from = query_number(req, "from", 1),
       to = query_number(req, "to", UINT64_MAX);
  if (!buckets || *buckets == 0 || *buckets > 1000 || !from || !to)
    return status_error(400, "BadRequest",
                        "buckets is 1 to 1000; from and to are sequence numbers");
  const uint64_t end = std::min(*to, std::min(master.model().seq(), index.last_seq()));
  const uint64_t start = std::max<uint64_t>(*from, 1);
  json out = {{"kind", "Timeline"}, {"apiVersion", "capstan/v1"}};
  json bars = json::array();
  if (start <= end) {
    out["first"] = {{"seq", start}, {"time", rfc3339(index.time_of(start))}};
    out["last"] = {{"seq", end}, {"time", rfc3339(index.time_of(end))}};
    for (const auto& b : index.timeline(start, end, *buckets)) {
      json bar = {{"start", rfc3339(b.start_nanos)},
                  {"startNanos", b.start_nanos},
                  {"users", b.counts[0]},
                  {"controllers", b.counts[1]},
                  {"nodes", b.counts[2]}};
      if (b.first_seq)
        bar["startSeq"] = b.first_seq, bar["endSeq"] = b.last_seq;
      bars.push_back(std::move(bar));
    }
  } else {
    out["first"] = {{"seq", 0}, {"time", ""}};
    out["last"] = {{"seq", 0}, {"time", ""}};
  }
  out["buckets"] = std::move(bars);
  return json_response(200, out);
}

}  // namespace capstan::api::audit
