// Handler answers as Beast messages: headers, warnings, keep-alive, HEAD.
#include "api/detail/beast_response.hpp"

#include <string>

#include "messages/json_codec.hpp"

namespace capstan::api::detail {

namespace http = boost::beast::http;

http::response<http::string_body> beast_response(http_response& out, unsigned version,
                                                 bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(out.status), version};
  res.set(http::field::server, "capstan");
  res.set(http::field::content_type, out.content_type);
  for (const auto& warning : out.warnings)
    res.insert(http::field::warning,
               "299 - " + messages::json(warning).dump(-1, ' ', false,
                                                      messages::json::error_handler_t::replace));
  if (out.retry_after_seconds > 0)
    res.set(http::field::retry_after, std::to_string(out.retry_after_seconds));
  for (const auto& [name, value] : out.headers)
    res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(out.body);
  res.prepare_payload();
  return res;
}

http::response<http::empty_body> head_response(const http::response<http::string_body>& full,
                                               bool keep_alive) {
  http::response<http::empty_body> head{full.result(), full.version()};
  for (const auto& field : full.base())
    head.set(field.name_string(), field.value());
  head.keep_alive(keep_alive);
  return head;
}

}  // namespace capstan::api::detail
