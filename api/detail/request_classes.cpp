// Request classes for the in-flight limits: mutating verbs, long-running streams.
#include "api/detail/request_classes.hpp"

#include "api/request_params.hpp"

namespace capstan::api::detail {

namespace http = boost::beast::http;

bool is_mutating(http::verb method) {
  return method != http::verb::get && method != http::verb::head &&
         method != http::verb::options;
}

bool is_long_running(const http_request& r) {
  auto ends_with = [&](const char* suffix) {
    const std::size_t n = std::char_traits<char>::length(suffix);
    return r.path.size() > n && r.path.compare(r.path.size() - n, n, suffix) == 0;
  };
  if (ends_with("/exec") || ends_with("/attach") || ends_with("/portforward"))
    return true;
  return query_flag(r, "watch") ||
         (r.path.size() > 4 && r.path.compare(r.path.size() - 4, 4, "/log") == 0 &&
          query_flag(r, "follow"));
}

}  // namespace capstan::api::detail
