// Reading one request off a connection, without the connection: Beast's parser held to the
// server's limits, the answer to a request that cannot be read, and the http_request a handler
// sees. The session (detail/session_reading.cpp) drives these over TLS;
// fuzz/http_request_fuzz.cpp drives them over bytes in memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/http_message.hpp"
#include "api/server_limits.hpp"

namespace capstan::api {

using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Holds a fresh parser to limits.max_header_bytes (request line and headers) and, until the
// header is read, limits.max_body_bytes.
void limit_request_parser(request_parser& parser, const server_limits& limits);

// The answer to a request the parser refused (`ec` from reading its header or body): 414 when
// the request line alone exceeds the header limit, 431 for headers over it, 413 for a body
// over `body_limit` (the limit the parser held it to), 400 for anything malformed. `ec` must
// be an error of the parser, not of the connection (end of stream, timeout): those end the
// connection without an answer.
http_response read_error_answer(const boost::beast::error_code& ec, const request_parser& parser,
                                std::size_t header_limit, std::size_t body_limit);

// Once the header is read: the most body bytes this request may send (on a path answered
// without a token, `public_path`, the smaller of the public and the general limits), or the
// 413 to answer when its Content-Length already declares more.
std::variant<std::size_t, http_response> request_body_limit(const request_parser& parser,
                                                            const server_limits& limits,
                                                            bool public_path);

// The path of a request target: without the query, and without one trailing slash
// ("/version/" names the same resource as "/version"; the Python client asks for the former).
std::string request_path(std::string_view target);

// The request a handler sees: method, path, decoded query, the headers it reads, and the body
// (moved out of `request`).
http_request to_http_request(boost::beast::http::request<boost::beast::http::string_body>& request);

}  // namespace capstan::api
