// The Beast message a connection writes for a handler's http_response, and the headers-only
// twin it writes for a HEAD request. Detail of the connection (session_writing.cpp). Pure
// functions.
#pragma once

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/http_message.hpp"

namespace capstan::api::detail {

// `out` as an HTTP/`version` response: its status, Server: capstan, its Content-Type, one
// `Warning: 299 - "..."` per warning (JSON-quoted, invalid UTF-8 replaced), Retry-After when
// set, Connection per `keep_alive`, and the body (moved out of `out`) with its Content-Length.
// `out.stream` is ignored.
boost::beast::http::response<boost::beast::http::string_body> beast_response(
    http_response& out, unsigned version, bool keep_alive);

// The answer to a HEAD request: every header of `full` (Content-Length included: what a GET
// would send), no body, Connection per `keep_alive`.
boost::beast::http::response<boost::beast::http::empty_body> head_response(
    const boost::beast::http::response<boost::beast::http::string_body>& full, bool keep_alive);

}  // namespace capstan::api::detail
