#include "api/pod_portforward.hpp"

#include <algorithm>

#include "api/portforward_session.hpp"
#include "api/responses.hpp"

namespace capstan::api {

http_response pod_portforward(caf::actor_system& system, actors::master& master,
                              std::shared_ptr<io_gate> gate, const http_request& req,
                              const messages::pod& p) {
  if (p.status.phase != "Running" || p.spec.node_name.empty())
    return status_error(400, "BadRequest",
                        "unable to forward ports to pod " + p.metadata.name +
                            ": it is not running (phase " +
                            (p.status.phase.empty() ? std::string("Pending") : p.status.phase) +
                            ")");
  if (!req.websocket_upgrade)
    return status_error(400, "BadRequest",
                        std::string("port-forward is served over WebSocket (") +
                            portforward_protocol + "); a direct SPDY upgrade is not supported");
  const auto& offered = req.websocket_protocols;
  if (std::find(offered.begin(), offered.end(), portforward_protocol) == offered.end())
    return status_error(400, "BadRequest",
                        std::string("port-forward speaks the WebSocket subprotocol ") +
                            portforward_protocol + "; the client offered none it speaks");
  messages::exec_request pod;
  pod.node_name = p.spec.node_name;
  pod.namespace_ = p.metadata.namespace_;
  pod.pod_name = p.metadata.name;
  pod.pod_uid = p.metadata.uid;
  auto session =
      std::make_shared<portforward_session>(system, master.node_gateway(), std::move(gate), pod);
  http_response r;
  r.status = 101;
  r.websocket_protocol = portforward_protocol;
  r.websocket = [session](std::shared_ptr<websocket_channel> channel) {
    session->start(std::move(channel));
  };
  return r;
}

}  // namespace capstan::api
