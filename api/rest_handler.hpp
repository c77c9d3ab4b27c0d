// The Kubernetes core/v1 REST API over the master: discovery, list/get (JSON or Table),
// create, update, patch (merge, strategic, JSON), delete, the scale and status subresources,
// and watch streams. Independent of the network: the server hands it parsed requests.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/master/master.hpp"
#include "api/credentials.hpp"

namespace capstan::api {

struct http_request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string content_type;
  std::string accept;
  std::string body;
  user_info user;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Sent as `Warning: 299 - "..."` headers (kubectl prints them as "Warning: ...").
  std::vector<std::string> warnings;
  // Set for watch: called on the connection's thread with a writer of chunks; returns when
  // the client is gone (the writer returned false) or `stopping` becomes true.
  std::function<void(const std::function<bool(const std::string&)>& write, const bool& stopping)>
      stream;
};

class rest_handler {
public:
  rest_handler(caf::actor_system& system, actors::master& master, std::string server_address);
  http_response handle(const http_request& request);

private:
  http_response audit(const http_request& request);
  // GET pods/NAME/log: the container's output, fetched from the pod's node.
  http_response pod_log(const http_request& request, const messages::pod& pod);

  caf::actor_system& system_;
  actors::master& master_;
  std::string server_address_;
};

// Splits "a=b&c=d%20e" into decoded pairs.
std::map<std::string, std::string> parse_query(const std::string& query);

}  // namespace capstan::api
