// The Kubernetes core/v1 REST API over the master: discovery, list/get (JSON or Table),
// create, update, patch (merge, strategic, JSON), delete, the scale and status subresources,
// and watch streams. Independent of the network: the server hands it parsed requests.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/master/master.hpp"
#include "api/credentials.hpp"
#include "api/stream_sink.hpp"

namespace capstan::api {

struct http_request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string content_type;
  std::string accept;
  std::string authorization;  // the Authorization header
  std::string user_agent;
  std::string body;
  user_info user;  // set once authenticated
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Sent as `Warning: 299 - "..."` headers (kubectl prints them as "Warning: ...").
  std::vector<std::string> warnings;
  // Sent as Retry-After (429).
  int retry_after_seconds = 0;
  // Set for streamed answers (watch, logs -f): called once the status line and headers are
  // sent, on the sink's executor; it must return at once and produce chunks asynchronously
  // until it calls finish() or the sink closes. `body` is then unused.
  std::function<void(std::shared_ptr<stream_sink>)> stream;
};

class watch_hub;
class io_gate;

class rest_handler {
public:
  rest_handler(caf::actor_system& system, actors::master& master, watch_hub& watches,
               std::shared_ptr<io_gate> gate, std::string server_address);
  http_response handle(const http_request& request);

private:

  caf::actor_system& system_;
  actors::master& master_;
  watch_hub& watches_;
  std::shared_ptr<io_gate> gate_;
  std::string server_address_;
};

}  // namespace capstan::api
