// Which in-flight limit of server_limits.hpp a request counts against: mutating or read, and
// whether it is long-running (kube-apiserver's classes). Detail of the connection
// (session_dispatch.cpp). Pure functions.
#pragma once

#include <boost/beast/http/verb.hpp>

#include "api/http_message.hpp"

namespace capstan::api::detail {

// Everything but GET, HEAD and OPTIONS: held to max_mutating_requests_inflight and run on the
// write pool.
bool is_mutating(boost::beast::http::verb method);

// A watch (?watch=true) or a followed log (.../log?follow=true): counted against
// max_long_running once its stream starts, as kube-apiserver's long-running requests.
bool is_long_running(const http_request& request);

}  // namespace capstan::api::detail
