// GET pods/NAME/log: a container's output, which the pod's node agent keeps, relayed through the
// master's node gateway; with follow=true a stream of the new bytes until the pod goes.
#pragma once

#include "actors/master/master.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

// Checks the container and the pod's state, fetches what the node has (on a handler thread;
// waits at most 15 s for the node), and for a follow returns a stream that polls the node for
// new bytes without holding any thread between polls. The node's answers come back through
// `gate`, so none arrives after the server is gone.
http_response pod_log(caf::actor_system& system, actors::master& master,
                      std::shared_ptr<io_gate> gate, const http_request& req,
                      const messages::pod& pod);

}  // namespace capstan::api
