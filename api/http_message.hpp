// One HTTP request as a handler sees it (parsed, authenticated) and the answer it gives: the
// values between a connection (http_session.cpp) and the code that answers (rest_handler.hpp).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/token_file.hpp"

namespace capstan::api {

class stream_sink;
class websocket_channel;

// What a request's Impersonate-* headers ask (api/impersonation.hpp decides).
struct impersonation_request {
  std::string user;                 // Impersonate-User
  std::string uid;                  // Impersonate-Uid
  std::vector<std::string> groups;  // every Impersonate-Group
  bool extra = false;               // an Impersonate-Extra-* header was sent

  bool any() const { return !user.empty() || !uid.empty() || !groups.empty() || extra; }
};

struct http_request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string content_type;
  std::string accept;
  std::string authorization;  // the Authorization header
  // The PEM of the TLS client certificate the connection presented (its key proven by the
  // handshake, nothing else checked); null when it presented none.
  std::shared_ptr<const std::string> client_certificate;
  std::string user_agent;
  std::string body;
  user_info user;  // set once authenticated (the impersonated identity, when allowed)
  impersonation_request impersonation;
  // Every value of a repeated query parameter, in order (exec's `command=`); `query` keeps one.
  std::multimap<std::string, std::string> query_all;
  // A WebSocket upgrade request: set, with the client's Sec-WebSocket-Protocol list.
  bool websocket_upgrade = false;
  std::vector<std::string> websocket_protocols;
  // Any other upgrade (Connection: Upgrade): the Upgrade header ("SPDY/3.1"), with the
  // client's X-Stream-Protocol-Version values.
  std::string upgrade;
  std::vector<std::string> stream_protocols;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Sent as `Warning: 299 - "..."` headers (kubectl prints them as "Warning: ...").
  std::vector<std::string> warnings;
  // Sent as Retry-After (429).
  int retry_after_seconds = 0;
  // Further headers, sent as they are (Cache-Control, Location, Content-Security-Policy): set
  // by the server's own code only, never from what a client sent.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for streamed answers (watch, logs -f): called once the status line and headers are
  // sent, on the sink's executor; it must return at once and produce chunks asynchronously
  // until it calls finish() or the sink closes. `body` is then unused.
  std::function<void(std::shared_ptr<stream_sink>)> stream;
  // Set to accept a WebSocket upgrade (exec, attach) with `websocket_protocol`: called once the
  // handshake is done, on the channel's executor; it must return at once. Unused for a request
  // that is not an upgrade (the connection answers 400).
  std::string websocket_protocol;
  std::function<void(std::shared_ptr<websocket_channel>)> websocket;
  // Set with `websocket` to accept a request's other upgrade instead (http_request::upgrade):
  // the answer is 101 with `Upgrade: raw_upgrade` and `X-Stream-Protocol-Version:
  // stream_protocol`, and the channel then carries the connection's raw bytes both ways (a
  // message is whatever arrived; message boundaries mean nothing).
  std::string raw_upgrade;
  std::string stream_protocol;
};

}  // namespace capstan::api
