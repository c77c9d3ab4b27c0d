#include "api/audit_api.hpp"

#include "api/request_params.hpp"
#include "api/responses.hpp"

namespace capstan::api {

using namespace messages;

http_response audit_api(const actors::master& master, const http_request& req) {
  auto q = [&](const char* k) { return req.query.count(k) ? req.query.at(k) : std::string(); };
  auto number = [&](const char* k, uint64_t fallback) { return query_number(req, k, fallback); };
  if (req.path == "/capstan/v1/history") {
    std::optional<object_kind> kind;
    if (!q("kind").empty() && !(kind = kind_from_resource(q("kind"))))
      return status_error(400, "BadRequest", "unknown kind \"" + q("kind") + "\"");
    auto from = number("from", 1), to = number("to", UINT64_MAX), limit = number("limit", 1000);
    if (!from || !to || !limit)
      return status_error(400, "BadRequest", "from, to and limit are sequence numbers");
    std::string ns = q("namespace");
    if (kind && !info(*kind).namespaced)
      ns.clear();
    else if (ns.empty() && !q("name").empty())
      ns = "default";
    json items = json::array();
    for (const auto& rec : master.history(kind, ns, q("name"), *from, *to, *limit))
      items.push_back({{"seq", rec.seq},
                       {"time", timestamp{rec.time_nanos / 1000000000}.to_rfc3339()},
                       {"timeNanos", rec.time_nanos},
                       {"cause", rec.cause},
                       {"event", event_name(rec)},
                       {"kind", std::string(info(rec.kind).name)},
                       {"namespace", rec.namespace_},
                       {"name", rec.name},
                       {"change", change_summary(rec)}});
    return json_response(200,
                         {{"kind", "History"}, {"apiVersion", "capstan/v1"}, {"items", items}});
  }
  uint64_t seq = master.model().seq();
  if (!q("time").empty()) {
    auto t = timestamp::parse_rfc3339(q("time"));
    if (!t)
      return status_error(400, "BadRequest", "time must be RFC 3339, such as 2026-11-22T01:00:00Z");
    seq = master.seq_at_time((t->seconds + 1) * 1000000000LL - 1);
  } else if (!q("at").empty()) {
    auto at = number("at", 0);
    if (!at)
      return status_error(400, "BadRequest", "at is a sequence number");
    if (*at > seq)
      return status_error(400, "BadRequest", "the journal ends at " + std::to_string(seq));
    seq = *at;
  }
  auto state = master.state_at(seq);
  json items = json::array();
  for (const auto* o : state.all_objects()) {
    json item = to_json(*o);
    // The past state shows which keys a Secret had, never their values (the live API serves
    // those to whoever may get the Secret).
    if (std::holds_alternative<secret>(*o)) {
      // Annotations too: kubectl apply's last-applied-configuration holds the values.
      for (const char* part : {"data"})
        if (item.contains(part))
          for (auto& [key, value] : item[part].items())
            value = "(redacted)";
      if (item["metadata"].contains("annotations"))
        for (auto& [key, value] : item["metadata"]["annotations"].items())
          value = "(redacted)";
    }
    items.push_back(std::move(item));
  }
  return json_response(200, {{"kind", "List"},
                             {"apiVersion", "v1"},
                             {"metadata", {{"resourceVersion", std::to_string(state.seq)}}},
                             {"items", items}});
}

}  // namespace capstan::api
