#include "api/audit_api.hpp"

#include "api/audit/audit_common.hpp"
#include "api/audit/cluster_summary.hpp"
#include "api/audit/compact_object.hpp"
#include "api/audit/history_query.hpp"
#include "api/audit/state_diff.hpp"
#include "api/audit/timeline_query.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"

#include <set>

namespace capstan::api {

using namespace messages;

namespace {

// The comma-separated parts of `text` (none for "").
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string::npos)
      end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

http_response past_state(const actors::master& master, const http_request& req) {
  auto at = audit::moment(master, req, "at", "time", UINT64_MAX);
  if (auto* bad = std::get_if<std::string>(&at))
    return status_error(400, "BadRequest", *bad);
  // kind=pods or kind=pods,services,...: only those kinds.
  std::set<object_kind> kinds;
  for (const auto& k : split(audit::param(req, "kind"), ',')) {
    auto kind = kind_from_resource(k);
    if (!kind)
      return status_error(400, "BadRequest", "unknown kind \"" + k + "\"");
    kinds.insert(*kind);
  }
  auto per_kind = query_number(req, "limitPerKind", UINT64_MAX);
  if (!per_kind || *per_kind == 0)
    return status_error(400, "BadRequest", "limitPerKind is a positive number");
  const std::string ns = audit::param(req, "namespace");
  const bool compact = audit::param(req, "compact") == "true";
  json out;
  master.with_state_at(std::get<uint64_t>(at), [&](const store::cluster_state& state) {
    json items = json::array();
    json cut = json::object();  // kinds with more objects than limitPerKind: how many in all
    for (std::size_t k = 0; k < object_kind_count; ++k) {
      const auto kind = static_cast<object_kind>(k);
      if (!kinds.empty() && !kinds.count(kind))
        continue;
      uint64_t listed = 0;
      for (const auto& [key, o] : state.of(kind)) {
        if (!ns.empty() && key.namespace_ != ns)
          continue;
        if (listed++ >= *per_kind)
          continue;
        items.push_back(compact ? audit::compact_object_json(o) : audit::object_json(o));
      }
      if (listed > *per_kind)
        cut[std::string(info(kind).resource)] = listed;
    }
    json metadata = {{"resourceVersion", std::to_string(state.seq)},
                     {"time", audit::time_of(master, state.seq)}};
    if (!cut.empty())
      metadata["limitedKinds"] = std::move(cut);
    out = {{"kind", "List"}, {"apiVersion", "v1"}, {"metadata", std::move(metadata)},
           {"items", std::move(items)}};
    if (audit::param(req, "summary") == "true")
      out["summary"] = audit::summarize(state);
  });
  return json_response(200, out);
}

}  // namespace

bool is_audit_path(const std::string& path) {
  return path == "/capstan/v1/history" || path == "/capstan/v1/state" ||
         path == "/capstan/v1/timeline" || path == "/capstan/v1/diff" ||
         path == "/capstan/v1/summary";
}

http_response audit_api(const actors::master& master, const http_request& req) {
  if (req.method != "GET" && req.method != "HEAD")
    return status_error(405, "MethodNotAllowed", "the audit API is read with GET");
  if (req.path == "/capstan/v1/history")
    return audit::history_query(master, req);
  if (req.path == "/capstan/v1/timeline")
    return audit::timeline_query(master, req);
  if (req.path == "/capstan/v1/diff")
    return audit::state_diff(master, req);
  if (req.path == "/capstan/v1/summary")
    return audit::cluster_summary(master, req);
  return past_state(master, req);
}

}  // namespace capstan::api
