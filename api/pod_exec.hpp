// GET pods/NAME/exec as kubectl (v5.channel.k8s.io) and the official clients (v4) speak it: a
// WebSocket whose binary messages start with a channel byte — 0 stdin, 1 stdout, 2 stderr,
// 3 the error channel (a Status with the exit code when it is not 0), 4 terminal resizes,
// 255 (v5) the end of a channel. The command runs on the pod's node (runc exec, with a
// terminal for tty=true), relayed through the master's node gateway (exec_relay.hpp).
#pragma once

#include "actors/master/master.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

// Checks the request (a WebSocket with a protocol it speaks, a command, a container that runs)
// and starts the command on the node (on a handler thread; waits at most 15 s for the node);
// the answer accepts the upgrade and relays the streams. A failure is a Status error before
// any upgrade (kubectl prints its message).
http_response pod_exec(caf::actor_system& system, actors::master& master,
                       std::shared_ptr<io_gate> gate, const http_request& req,
                       const messages::pod& pod);

// The subprotocol to answer an exec upgrade offering `offered` with: v5.channel.k8s.io, else
// v4.channel.k8s.io, else "" (none this server speaks).
std::string exec_protocol(const std::vector<std::string>& offered);

}  // namespace capstan::api
