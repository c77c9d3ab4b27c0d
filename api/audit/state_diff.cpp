#include "api/audit/state_diff.hpp"

#include <map>

#include "api/audit/audit_common.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "store/apply.hpp"

namespace capstan::api::audit {

using namespace messages;

namespace {
// The records between the moments are read twice and the objects they touch held: a bound.
constexpr uint64_t max_records_between = 200000;
}  // namespace

http_response state_diff(const actors::master& master, const http_request& req) {
  auto from = moment(master, req, "fromSeq", "fromTime", 0);
  if (auto* bad = std::get_if<std::string>(&from))
    return status_error(400, "BadRequest", *bad);
  auto to = moment(master, req, "toSeq", "toTime", UINT64_MAX);
  if (auto* bad = std::get_if<std::string>(&to))
    return status_error(400, "BadRequest", *bad);
  auto limit = query_number(req, "limit", 500);
  if (!limit || *limit == 0 || *limit > 5000)
    return status_error(400, "BadRequest", "limit is 1 to 5000");
  if (param(req, "fromSeq").empty() && param(req, "fromTime").empty())
    return status_error(400, "BadRequest", "fromSeq or fromTime names the earlier moment");
  uint64_t a = std::get<uint64_t>(from), b = std::get<uint64_t>(to);
  if (a > b)
    std::swap(a, b);
  if (b - a > max_records_between)
    return status_error(400, "BadRequest",
                        "the moments are " + std::to_string(b - a) + " records apart; at most " +
                            std::to_string(max_records_between) + " are compared at once");
  // The objects the records between touch, as they were before them; then those records
  // applied to those objects alone (a record changes only the object it names).
  using id = std::pair<object_kind, store::object_key>;
  std::map<id, json> before;
  master.read_journal(a + 1, b, [&](journal_record&& r) {
    before.emplace(id{r.kind, {r.namespace_, r.name}}, json(nullptr));
    return true;
  });
  store::cluster_state state;
  master.with_state_at(a, [&](const store::cluster_state& then) {
    for (auto& [key, was] : before)
      if (const any_object* o = then.find(key.first, key.second)) {
        was = object_json(*o);
        state.of(key.first).emplace(key.second, *o);
      }
  });
  master.read_journal(a + 1, b, [&](journal_record&& r) {
    state.seq = r.seq - 1;
    store::apply(state, std::move(r));
    return true;
  });
  json added = json::array(), removed = json::array(), changed = json::array();
  bool truncated = false;
  auto keep = [&](json& list, json item) {
    if (list.size() < *limit)
      list.push_back(std::move(item));
    else
      truncated = true;
  };
  for (auto& [key, was] : before) {
    const any_object* now = state.find(key.first, key.second);
    if (was.is_null() && now)
      keep(added, object_json(*now));
    else if (!was.is_null() && !now)
      keep(removed, std::move(was));
    else if (now) {
      json after = object_json(*now);
      if (after != was)
        keep(changed, {{"before", std::move(was)}, {"after", std::move(after)}});
    }
  }
  return json_response(200, {{"kind", "StateDiff"},
                             {"apiVersion", "capstan/v1"},
                             {"from", {{"seq", a}, {"time", time_of(master, a)}}},
                             {"to", {{"seq", b}, {"time", time_of(master, b)}}},
                             {"added", std::move(added)},
                             {"removed", std::move(removed)},
                             {"changed", std::move(changed)},
                             {"truncated", truncated}});
}

}  // namespace capstan::api::audit
