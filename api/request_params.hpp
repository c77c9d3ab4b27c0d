// Reading a request's URL: query parameters, and the ones Kubernetes defines (watch,
// resourceVersion, limit, timeoutSeconds), refused with kube-apiserver's 400s when malformed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/http_message.hpp"

namespace capstan::api {

// Decodes %XX and '+'; a malformed escape is kept as it is.
std::string url_decode(const std::string& s);

// A URL path's non-empty segments, each percent-decoded after the split ("/api//v1/%70ods"
// is api, v1, pods): the one reading of a path, for routing and for authorization alike.
std::vector<std::string> path_segments(const std::string& path);

// Splits "a=b&c=d%20e" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string& query);
// Every parameter in order, repeated ones included.
std::multimap<std::string, std::string> parse_query_all(const std::string& query);

// A boolean query parameter read as Go's strconv.ParseBool reads it (the Python client sends
// "watch=True"): 1, t, T, TRUE, true, True are true; anything else, or no parameter, is false.
bool query_flag(const http_request& req, const std::string& name);

// An unsigned query parameter: `fallback` when absent or empty, nullopt when not a number
// that fits 64 bits.
std::optional<uint64_t> query_number(const http_request& req, const std::string& name,
                                     uint64_t fallback);

// The list/watch parameters, checked. An error is the 400 to answer.
struct list_params {
  std::optional<uint64_t> resource_version;  // absent or "" : none; "0": any
  uint64_t limit = 0;                        // 0: no limit
  uint64_t timeout_seconds = 0;              // 0: the server's default
};
std::variant<list_params, http_response> read_list_params(const http_request& req);

// `dryRun`: absent (false) or "All" (true); anything else is kube-apiserver's 400.
std::variant<bool, http_response> read_dry_run(const http_request& req);

}  // namespace capstan::api
