#include "api/request_params.hpp"

#include "api/responses.hpp"

namespace capstan::api {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// A decimal that fits 64 bits, or nullopt.
std::optional<uint64_t> parse_u64(const std::string& s) {
  if (!all_digits(s) || s.size() > 20)
    return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10)
      return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

http_response invalid_parameter(const std::string& name, const std::string& value,
                                const std::string& why) {
  return status_error(400, "BadRequest",
                      name + ": Invalid value: " + dump_json(messages::json(value)) + ": " + why);
}

}  // namespace

std::string url_decode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::multimap<std::string, std::string> parse_query_all(const std::string& query) {
  std::multimap<std::string, std::string> out;
  std::size_t i = 0;
  while (i < query.size()) {
    std::size_t amp = query.find('&', i);
    std::string pair = query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    auto eq = pair.find('=');
    if (!pair.empty())
      out.emplace(url_decode(pair.substr(0, eq)),
                  eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1)));
    if (amp == std::string::npos)
      break;
    i = amp + 1;
  }
  return out;
}

std::vector<std::string> path_segments(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos)
      slash = path.size();
    if (slash > start)
      parts.push_back(url_decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : parse_query_all(query))
    out[name] = value;  // the last of a repeated parameter counts
  return out;
}

bool query_flag(const http_request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end())
    return false;
  const std::string& v = it->second;
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "True" || v == "TRUE";
}

std::optional<uint64_t> query_number(const http_request& req, const std::string& name,
                                     uint64_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty())
    return fallback;
  return parse_u64(it->second);
}

std::variant<list_params, http_response> read_list_params(const http_request& req) {
  list_params p;
  if (auto it = req.query.find("resourceVersion"); it != req.query.end() && !it->second.empty()) {
    auto rv = parse_u64(it->second);
    if (!rv)
      return invalid_parameter("resourceVersion", it->second,
                               "must be a non-negative integer of at most 64 bits");
    p.resource_version = rv;
  }
  if (auto it = req.query.find("limit"); it != req.query.end() && !it->second.empty()) {
    auto limit = parse_u64(it->second);
    if (!limit)
      return invalid_parameter("limit", it->second, "must be greater than or equal to 0");
    p.limit = *limit;
  }
  if (auto it = req.query.find("timeoutSeconds"); it != req.query.end() && !it->second.empty()) {
    auto timeout = parse_u64(it->second);
    if (!timeout)
      return invalid_parameter("timeoutSeconds", it->second,
                               "must be a non-negative integer of seconds");
    p.timeout_seconds = *timeout;
  }
  return p;
}

std::variant<bool, http_response> read_dry_run(const http_request& req) {
  auto it = req.query.find("dryRun");
  if (it == req.query.end() || it->second.empty())
    return false;
  if (it->second == "All")
    return true;
  return status_error(400, "BadRequest",
                      "dryRun: Unsupported value: " + dump_json(messages::json(it->second)) +
                          ": supported values: \"All\"");
}

}  // namespace capstan::api
