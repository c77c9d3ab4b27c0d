#include "api/pod_exec.hpp"

#include <algorithm>

#include <caf/scoped_actor.hpp>

#include "api/exec_relay.hpp"
#include "api/pod_container.hpp"
#include "api/refused_upgrades.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::api {

namespace {

constexpr auto node_timeout = std::chrono::seconds(15);

const char* const v5_protocol = "v5.channel.k8s.io";
const char* const v4_protocol = "v4.channel.k8s.io";

// Whether the container runs now, by the pod's last reported status.
bool container_running(const messages::pod& p, const std::string& container) {
  for (const auto& s : p.status.container_statuses)
    if (s.name == container)
      return s.state.running.has_value();
  return false;
}

// The node's refusals of recent upgrades, for kubectl's SPDY retry (refused_upgrades.hpp).
refused_upgrades& failed_upgrades() {
  static refused_upgrades the_refusals;
  return the_refusals;
}

}  // namespace

std::string exec_protocol(const std::vector<std::string>& offered) {
  for (const char* wanted : {v5_protocol, v4_protocol})
    if (std::find(offered.begin(), offered.end(), wanted) != offered.end())
      return wanted;
  return {};
}

http_response pod_exec(caf::actor_system& system, actors::master& master,
                       std::shared_ptr<io_gate> gate, const http_request& req,
                       const messages::pod& p) {
  auto chosen = requested_container(req, p);
  if (auto* refused = std::get_if<http_response>(&chosen))
    return std::move(*refused);
  const std::string container = std::get<std::string>(chosen);

  messages::exec_request start;
  start.namespace_ = p.metadata.namespace_;
  start.pod_name = p.metadata.name;
  start.pod_uid = p.metadata.uid;
  start.container = container;
  for (auto [it, end] = req.query_all.equal_range("command"); it != end; ++it)
    start.command.push_back(it->second);
  start.stdin_ = query_flag(req, "stdin");
  start.tty = query_flag(req, "tty");
  if (start.command.empty())
    return status_error(400, "BadRequest", "you must specify at least one command for the container");
  if (!start.stdin_ && !query_flag(req, "stdout") && !query_flag(req, "stderr"))
    return status_error(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr");
  if (p.status.phase == "Succeeded" || p.status.phase == "Failed")
    return status_error(400, "BadRequest",
                        "cannot exec into a container in a completed pod; current phase is " +
                            p.status.phase);
  if (p.spec.node_name.empty() || !container_running(p, container))
    return status_error(400, "BadRequest",
                        "container " + container + " of pod " + p.metadata.name +
                            " is not running");

  // After the checks above: kubectl retries a refused WebSocket over SPDY, and the user should
  // read why the first attempt failed, not that SPDY is not spoken.
  if (!req.websocket_upgrade) {
    if (auto earlier = failed_upgrades().take(refused_upgrades::key_of(req)))
      return std::move(*earlier);  // kubectl's SPDY retry of an upgrade refused just before
    return status_error(400, "BadRequest",
                        "exec is served over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io); "
                        "SPDY is not supported");
  }
  const std::string protocol = exec_protocol(req.websocket_protocols);
  if (protocol.empty())
    return status_error(400, "BadRequest",
                        "exec speaks the WebSocket subprotocols v5.channel.k8s.io and "
                        "v4.channel.k8s.io; the client offered none of them");

  auto refused = [&req](http_response refusal) {
    failed_upgrades().remember(refused_upgrades::key_of(req), refusal);
    return refusal;
  };
  messages::exec_reply started;
  std::string failure;
  auto gateway = master.node_gateway();
  if (!gateway)
    return refused(status_error(503, "ServiceUnavailable",
                                "this master does not lead the cluster now: exec goes through "
                                "the leader"));
  {
    caf::scoped_actor self{system};
    self->request(gateway, node_timeout, messages::exec_atom::value, start)
        .receive([&](messages::exec_reply& r) { started = std::move(r); },
                 [&](caf::error& e) {
                   failure = "the node gateway did not answer: " + system.render(e);
                 });
  }
  if (!failure.empty())
    return refused(status_error(503, "ServiceUnavailable", failure));
  if (started.refused) {
    const auto reason = started.refused.reason;
    if (reason == messages::refusal_reason::no_such_pod)
      return refused(status_error(400, "BadRequest", started.refused.message));
    if (reason == messages::refusal_reason::too_large)
      return refused(status_error(429, "TooManyRequests", started.refused.message));
    return refused(status_error(503, "ServiceUnavailable", started.refused.message));
  }
  auto relay = std::make_shared<exec_relay>(system, gateway, std::move(gate),
                                            p.spec.node_name, started.stream,
                                            protocol == v5_protocol);
  http_response r;
  r.status = 101;
  r.websocket_protocol = protocol;
  r.websocket = [relay](std::shared_ptr<websocket_channel> channel) {
    relay->start(std::move(channel));
  };
  return r;
}

}  // namespace capstan::api
