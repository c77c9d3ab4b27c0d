// The Kubernetes core/v1 REST API over the master: discovery, list/get (JSON or Table),
// create, update, patch (merge, strategic, JSON), delete, the scale and status subresources,
// and watch streams. Independent of the network: the server hands it parsed requests.
#pragma once

#include <memory>
#include <string>

#include "actors/master/master.hpp"
#include "api/http_message.hpp"
#include "api/stream_sink.hpp"

namespace capstan::api {

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
