#include "api/pod_portforward.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

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
  const bool direct_spdy = !req.websocket_upgrade && !req.upgrade.empty();
  if (!req.websocket_upgrade && !direct_spdy)
    return status_error(400, "BadRequest",
                        std::string("port-forward is served over WebSocket (") +
                            portforward_protocol + ") or a " + spdy_upgrade + " upgrade");
  if (direct_spdy) {
    if (!boost::beast::iequals(req.upgrade, spdy_upgrade))
      return status_error(400, "BadRequest",
                          "port-forward cannot upgrade to " + req.upgrade.substr(0, 64) +
                              "; it speaks WebSocket and " + spdy_upgrade);
    const auto& offered = req.stream_protocols;
    if (std::find(offered.begin(), offered.end(), portforward_stream_protocol) == offered.end())
      return status_error(400, "BadRequest",
                          std::string("port-forward speaks the stream protocol ") +
                              portforward_stream_protocol + "; the client offered none it speaks");
  } else {
    const auto& offered = req.websocket_protocols;
    if (std::find(offered.begin(), offered.end(), portforward_protocol) == offered.end())
      return status_error(400, "BadRequest",
                          std::string("port-forward speaks the WebSocket subprotocol ") +
                              portforward_protocol + "; the client offered none it speaks");
  }
  messages::exec_request pod;
  pod.node_name = p.spec.node_name;
  pod.namespace_ = p.metadata.namespace_;
  pod.pod_name = p.metadata.name;
  pod.pod_uid = p.metadata.uid;
  auto gateway = master.node_gateway();
  if (!gateway)
    return status_error(503, "ServiceUnavailable",
                        "this master does not lead the cluster now: port-forward goes through "
                        "the leader");
  auto session = std::make_shared<portforward_session>(system, gateway, std::move(gate), pod);
  http_response r;
  r.status = 101;
  if (direct_spdy) {
    r.raw_upgrade = spdy_upgrade;
    r.stream_protocol = portforward_stream_protocol;
  } else {
    r.websocket_protocol = portforward_protocol;
  }
  r.websocket = [session](std::shared_ptr<websocket_channel> channel) {
    session->start(std::move(channel));
  };
  return r;
}

}  // namespace capstan::api
