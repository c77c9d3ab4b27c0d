// GET pods/NAME/log: a container's output, which the pod's node agent keeps, relayed through the
// master's node gateway; with follow=true a stream of the new bytes until the pod goes.
#pragma once

#include <functional>
#include <memory>
#include <variant>

#include "actors/master/master.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"
#include "api/stream_sink.hpp"

namespace capstan::api {

// Checks the container and the pod's state, fetches what the node has (on a handler thread;
// waits at most 15 s for the node), and for a follow returns a stream that polls the node for
// new bytes without holding any thread between polls. The node's answers come back through
// `gate`, so none arrives after the server is gone.
http_response pod_log(caf::actor_system& system, actors::master& master,
                      std::shared_ptr<io_gate> gate, const http_request& req,
                      const messages::pod& pod);

// For attach: a producer that streams what `container` writes from now on (as logs -f, without
// what it wrote before), or the error to answer when its node cannot tell where its output
// ends. On a handler thread (it asks the node, at most 15 s).
std::variant<http_response, std::function<void(std::shared_ptr<stream_sink>)>> follow_new_output(
    caf::actor_system& system, actors::master& master, std::shared_ptr<io_gate> gate,
    const messages::pod& pod, const std::string& container);

}  // namespace capstan::api
