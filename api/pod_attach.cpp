#include "api/pod_attach.hpp"

#include "api/exec_relay.hpp"
#include "api/log_stream.hpp"
#include "api/pod_container.hpp"
#include "api/pod_exec.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "api/websocket_channel.hpp"

namespace capstan::api {

namespace {

// The log follower's sink as the client's stdout channel: each chunk one message on channel
// 1, the end (the pod went) a Success on the error channel. Called on the channel's executor
// only, as the follower does.
class stdout_channel_sink : public stream_sink {
public:
  explicit stdout_channel_sink(std::shared_ptr<websocket_channel> channel)
      : channel_(std::move(channel)) {}
  bool write(std::string chunk) override {
    return channel_->send(std::string(1, '\x01') + chunk);
  }
  void finish() override {
    channel_->send(std::string(1, '\x03') + exit_status_json(0));
    channel_->close_normally();
  }
  void on_close(std::function<void()> f) override { channel_->on_close(std::move(f)); }
  boost::asio::any_io_executor executor() override { return channel_->executor(); }

private:
  std::shared_ptr<websocket_channel> channel_;
};

// Reads and drops what the client sends (resizes), so that its leaving is noticed at once.
void discard_messages(std::shared_ptr<websocket_channel> channel) {
  std::weak_ptr<websocket_channel> weak = channel;
  channel->receive([weak](std::string) {
    if (auto c = weak.lock())
      discard_messages(c);
  });
}

}  // namespace

http_response pod_attach(caf::actor_system& system, actors::master& master,
                         std::shared_ptr<io_gate> gate, const http_request& req,
                         const messages::pod& p) {
  auto chosen = requested_container(req, p);
  if (auto* refused = std::get_if<http_response>(&chosen))
    return std::move(*refused);
  const std::string container = std::get<std::string>(chosen);
  if (query_flag(req, "stdin") || query_flag(req, "tty"))
    return status_error(400, "BadRequest",
                        "container " + container +
                            " runs without stdin or a terminal (its output goes to its log): "
                            "attach shows its output only; use kubectl exec -it for a shell");
  if (p.spec.node_name.empty() || p.status.phase != "Running")
    return status_error(400, "BadRequest",
                        "pod " + p.metadata.name + " is not running (phase " + p.status.phase +
                            ")");
  if (!req.websocket_upgrade)
    return status_error(400, "BadRequest", "attach is served over WebSocket; SPDY is not supported");
  const std::string protocol = exec_protocol(req.websocket_protocols);
  if (protocol.empty())
    return status_error(400, "BadRequest",
                        "attach speaks the WebSocket subprotocols v5.channel.k8s.io and "
                        "v4.channel.k8s.io; the client offered none of them");
  auto follow = follow_new_output(system, master, std::move(gate), p, container);
  if (auto* refused = std::get_if<http_response>(&follow))
    return std::move(*refused);
  auto producer = std::get<std::function<void(std::shared_ptr<stream_sink>)>>(std::move(follow));
  http_response r;
  r.status = 101;
  r.websocket_protocol = protocol;
  r.websocket = [producer](std::shared_ptr<websocket_channel> channel) {
    discard_messages(channel);
    producer(std::make_shared<stdout_channel_sink>(std::move(channel)));
  };
  return r;
}

}  // namespace capstan::api
