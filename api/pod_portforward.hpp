// GET pods/NAME/portforward as kubectl 1.32 speaks it: a WebSocket (subprotocol
// SPDY/3.1+portforward.k8s.io) carrying a SPDY/3.1 session whose streams kubectl opens per
// forwarded connection (portforward_session.hpp); or, as older clients and kubectl with
// KUBECTL_PORT_FORWARD_WEBSOCKETS=false speak it, the same SPDY/3.1 session directly on the
// connection (GET or POST with Upgrade: SPDY/3.1, X-Stream-Protocol-Version:
// portforward.k8s.io). The pod's node connects to the port inside the pod's network namespace.
#pragma once

#include "actors/master/master.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

inline constexpr const char* portforward_protocol = "SPDY/3.1+portforward.k8s.io";
inline constexpr const char* spdy_upgrade = "SPDY/3.1";
inline constexpr const char* portforward_stream_protocol = "portforward.k8s.io";

// Checks the request (a WebSocket or SPDY upgrade offering the protocol, a pod that runs on a node) and accepts
// the upgrade; connections to the pod's ports are made as kubectl opens its streams. A failure
// is a Status error before any upgrade (kubectl prints its message).
http_response pod_portforward(caf::actor_system& system, actors::master& master,
                              std::shared_ptr<io_gate> gate, const http_request& req,
                              const messages::pod& pod);

}  // namespace capstan::api
