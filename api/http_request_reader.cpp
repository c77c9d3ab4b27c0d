#include "api/http_request_reader.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/request_params.hpp"
#include "api/responses.hpp"

namespace capstan::api {

namespace http = boost::beast::http;

void limit_request_parser(request_parser& parser, const server_limits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

http_response read_error_answer(const boost::beast::error_code& ec, const request_parser& parser,
                                std::size_t header_limit, std::size_t body_limit) {
  if (ec == http::error::header_limit) {
    // The parser fills in the target as soon as the request line is complete: without one,
    // the request line alone did not fit.
    if (parser.get().target().empty())
      return status_error(414, "RequestURITooLong",
                          "the request URI is longer than " + std::to_string(header_limit) +
                              " bytes");
    return status_error(431, "BadRequest",
                        "the request headers are larger than " + std::to_string(header_limit) +
                            " bytes");
  }
  if (ec == http::error::body_limit)
    return status_error(413, "RequestEntityTooLarge",
                        "the request body is larger than the limit of " +
                            std::to_string(body_limit) + " bytes");
  return status_error(400, "BadRequest", "malformed HTTP request: " + ec.message());
}

std::variant<std::size_t, http_response> request_body_limit(const request_parser& parser,
                                                            const server_limits& limits,
                                                            bool public_path) {
  const std::size_t limit = public_path
                                ? std::min(limits.max_public_body_bytes, limits.max_body_bytes)
                                : limits.max_body_bytes;
  auto length = parser.content_length();
  if (length && *length > limit)
    return status_error(413, "RequestEntityTooLarge",
                        "the request body is larger than the limit of " + std::to_string(limit) +
                            " bytes");
  return limit;
}

std::string request_path(std::string_view target) {
  std::string path(target.substr(0, target.find('?')));
  if (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

http_request to_http_request(http::request<http::string_body>& request) {
  http_request req;
  req.method = std::string(request.method_string());
  std::string target(request.target());
  auto q = target.find('?');
  req.path = request_path(target);
  if (q != std::string::npos)
    req.query = parse_query(target.substr(q + 1));
  req.content_type = std::string(request[http::field::content_type]);
  req.accept = std::string(request[http::field::accept]);
  req.authorization = std::string(request[http::field::authorization]);
  req.user_agent = std::string(request[http::field::user_agent]);
  for (const auto& field : request) {
    const auto name = field.name_string();
    auto is = [&](boost::beast::string_view header) { return boost::beast::iequals(name, header); };
    // The first of repeated User and Uid headers counts, as in Kubernetes.
    if (is("Impersonate-User")) {
      if (req.impersonation.user.empty())
        req.impersonation.user = std::string(field.value());
    } else if (is("Impersonate-Uid")) {
      if (req.impersonation.uid.empty())
        req.impersonation.uid = std::string(field.value());
    }
    else if (is("Impersonate-Group"))
      req.impersonation.groups.emplace_back(field.value());
    else if (name.size() > 17 && boost::beast::iequals(name.substr(0, 17), "Impersonate-Extra"))
      req.impersonation.extra = true;
  }
  req.body = std::move(request.body());
  if (q != std::string::npos)
    req.query_all = parse_query_all(target.substr(q + 1));
  auto words_of = [](const std::string& list) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= list.size()) {
      auto end = list.find(',', start);
      if (end == std::string::npos)
        end = list.size();
      auto word = list.substr(start, end - start);
      word.erase(0, word.find_first_not_of(" \t"));
      word.erase(word.find_last_not_of(" \t") + 1);
      if (!word.empty())
        words.push_back(word);
      start = end + 1;
    }
    return words;
  };
  if (!boost::beast::websocket::is_upgrade(request) && request.count(http::field::upgrade) &&
      boost::beast::http::token_list(request[http::field::connection]).exists("upgrade")) {
    req.upgrade = std::string(request[http::field::upgrade]);
    // Repeated headers are one list (RFC 9110 5.3).
    for (const auto& field : request)
      if (boost::beast::iequals(field.name_string(), "X-Stream-Protocol-Version"))
        for (auto& word : words_of(std::string(field.value())))
          req.stream_protocols.push_back(std::move(word));
  }
  if (boost::beast::websocket::is_upgrade(request)) {
    req.websocket_upgrade = true;
    std::string protocols(request[http::field::sec_websocket_protocol]);
    std::size_t start = 0;
    while (start <= protocols.size()) {
      auto end = protocols.find(',', start);
      if (end == std::string::npos)
        end = protocols.size();
      auto word = protocols.substr(start, end - start);
      word.erase(0, word.find_first_not_of(" \t"));
      word.erase(word.find_last_not_of(" \t") + 1);
      if (!word.empty())
        req.websocket_protocols.push_back(word);
      start = end + 1;
    }
  }
  return req;
}

}  // namespace capstan::api
