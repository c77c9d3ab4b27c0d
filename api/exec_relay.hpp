// One exec's streams between the client's WebSocket and the command on its node: the node is
// polled for output (one poll at a time, the next once the last output is on the wire, so a
// slow client holds at most one reply), and the client's messages are read one at a time, the
// next once the node took the last. When the client leaves, or the relay goes before it
// started, the node is told to kill the command.
#pragma once

#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "api/io_gate.hpp"
#include "api/websocket_channel.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::api {

class exec_relay : public std::enable_shared_from_this<exec_relay> {
public:
  // For stream `stream` of node `node_name`, reached through `gateway`; `v5`: the client speaks
  // v5.channel.k8s.io (it may close stdin with a close message).
  exec_relay(caf::actor_system& system, messages::node_gateway_actor gateway,
             std::shared_ptr<io_gate> gate, std::string node_name, uint64_t stream, bool v5);
  // Tells the node to kill the command unless it has ended.
  ~exec_relay();
  exec_relay(const exec_relay&) = delete;
  exec_relay& operator=(const exec_relay&) = delete;

  // On the channel's executor, once: starts relaying.
  void start(std::shared_ptr<websocket_channel> channel);

private:
  void poll();
  void on_output(messages::exec_reply reply);
  void read_next();
  void on_message(std::string message);
  // Sends `io` (input, resize or the end of stdin) and reads the next message once it is taken.
  void pass(messages::exec_io io);
  // Writes the Status of the command's end (or of a failure) on the error channel and closes.
  void finish(const std::string& status_json);
  // Sends `io` to the node; `done` runs on the channel's executor with the reply, unless the
  // relay is gone or the channel closed.
  void ask(messages::exec_io io, void (exec_relay::*done)(messages::exec_reply));
  void on_taken(messages::exec_reply reply);

  caf::actor_system& system_;
  const messages::node_gateway_actor gateway_;
  const std::shared_ptr<io_gate> gate_;
  const std::string node_name_;
  const uint64_t stream_;
  const bool v5_;
  // Executor only.
  std::shared_ptr<websocket_channel> channel_;
  bool closed_ = false;
  bool ended_ = false;  // the command's end was seen (or the node forgot the stream)
};

// The error channel's Status for an exit code: Success for 0; otherwise a Failure with reason
// NonZeroExitCode and the code as an ExitCode cause, which kubectl turns into its own exit code.
std::string exit_status_json(int exit_code);
// The error channel's Status for a failure that is not the command's (the node went away).
std::string failure_status_json(const std::string& message);

}  // namespace capstan::api
