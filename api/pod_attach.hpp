// GET pods/NAME/attach over the same WebSocket channels as exec (pod_exec.hpp): what the
// container writes from now on, on the stdout channel, until the pod goes. Containers run
// without stdin (their output goes to their log), so attach -i and -t are refused with the
// reason; kubectl exec -it is the way to a shell.
#pragma once

#include "actors/master/master.hpp"
#include "api/io_gate.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

http_response pod_attach(caf::actor_system& system, actors::master& master,
                         std::shared_ptr<io_gate> gate, const http_request& req,
                         const messages::pod& pod);

}  // namespace capstan::api
