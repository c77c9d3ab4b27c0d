#include "api/exec_relay.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "messages/json_codec.hpp"

namespace capstan::api {

namespace {

using messages::exec_io;
using messages::exec_reply;

// The node holds a poll for 5 s; the gateway gives it 15 s.
constexpr auto node_timeout = std::chrono::seconds(20);

constexpr char stdin_channel = 0, stdout_channel = 1, stderr_channel = 2, error_channel = 3,
               resize_channel = 4;
constexpr unsigned char close_channel = 255;

}  // namespace

std::string exit_status_json(int exit_code) {
  messages::json status = {{"metadata", messages::json::object()}};
  if (exit_code == 0) {
    status["status"] = "Success";
    return status.dump();
  }
  status["status"] = "Failure";
  status["message"] =
      "command terminated with non-zero exit code: exit status " + std::to_string(exit_code);
  status["reason"] = "NonZeroExitCode";
  status["details"] = {
      {"causes", {{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}}}}};
  return status.dump();
}

std::string failure_status_json(const std::string& message) {
  messages::json status = {{"metadata", messages::json::object()},
                           {"status", "Failure"},
                           {"message", message},
                           {"reason", "InternalError"},
                           {"code", 500}};
  return status.dump();
}

exec_relay::exec_relay(caf::actor_system& system, messages::node_gateway_actor gateway,
                       std::shared_ptr<io_gate> gate, std::string node_name, uint64_t stream,
                       bool v5)
    : system_(system),
      gateway_(std::move(gateway)),
      gate_(std::move(gate)),
      node_name_(std::move(node_name)),
      stream_(stream),
      v5_(v5) {}

exec_relay::~exec_relay() {
  if (ended_)
    return;
  exec_io io;
  io.node_name = node_name_;
  io.stream = stream_;
  io.terminate = true;
  // From an actor of this process: the gateway takes exec messages from its own process only
  // (an anonymous message could come from anywhere). Its answer is not awaited.
  system_.spawn([gateway = gateway_, io = std::move(io)](caf::event_based_actor* self) {
    self->send(gateway, messages::execio_atom::value, io);
  });
}

void exec_relay::start(std::shared_ptr<websocket_channel> channel) {
  channel_ = std::move(channel);
  channel_->on_close([self = shared_from_this()] {
    self->closed_ = true;
    self->channel_.reset();  // the relay goes with its last pending answer
  });
  poll();
  read_next();
}

void exec_relay::ask(exec_io io, void (exec_relay::*done)(exec_reply)) {
  if (closed_ || !channel_)
    return;
  io.node_name = node_name_;
  io.stream = stream_;
  auto executor = channel_->executor();
  auto deliver = [weak = weak_from_this(), gate = gate_, executor, done](exec_reply reply) {
    gate->post(executor, [weak, done, reply = std::move(reply)]() mutable {
      auto self = weak.lock();
      if (self && !self->closed_ && self->channel_)
        ((*self).*done)(std::move(reply));
    });
  };
  // The answer comes on a CAF thread, maybe after the channel closed or the server stopped:
  // it holds the relay weakly and posts through the gate.
  system_.spawn([gateway = gateway_, io = std::move(io), deliver](caf::event_based_actor* self) {
    self->request(gateway, node_timeout, messages::execio_atom::value, io)
        .then([deliver](exec_reply& reply) { deliver(std::move(reply)); },
              [deliver, self](caf::error& e) {
                exec_reply failed;
                failed.refused = {messages::refusal_reason::not_joined,
                                  "the node gateway did not answer: " + self->system().render(e)};
                deliver(std::move(failed));
              });
  });
}

void exec_relay::poll() {
  exec_io io;
  io.poll = true;
  ask(std::move(io), &exec_relay::on_output);
}

void exec_relay::on_output(exec_reply reply) {
  if (reply.refused) {
    ended_ = true;  // the node no longer has the stream
    return finish(failure_status_json(reply.refused.message));
  }
  // The next poll once this output is on the wire: a client that does not read holds one
  // reply, not a growing queue.
  std::function<void()> next;
  if (!reply.exited)
    next = [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && !self->closed_)
        self->poll();
    };
  std::string out, err;
  if (!reply.output.empty())
    out = std::string(1, stdout_channel) + reply.output;
  if (!reply.errors.empty())
    err = std::string(1, stderr_channel) + reply.errors;
  auto channel = channel_;
  if (!out.empty() && !channel->send(std::move(out), err.empty() ? next : nullptr))
    return;
  if (!err.empty() && !channel->send(std::move(err), next))
    return;
  if (reply.exited) {
    ended_ = true;
    return finish(exit_status_json(reply.exit_code));
  }
  if (reply.output.empty() && reply.errors.empty())
    poll();
}

void exec_relay::finish(const std::string& status_json) {
  auto channel = channel_;  // a send that overflows the backlog closes it: channel_ resets
  if (!channel)
    return;
  channel->send(std::string(1, error_channel) + status_json);
  channel->close_normally();
}

void exec_relay::read_next() {
  if (closed_ || !channel_)
    return;
  channel_->receive([weak = weak_from_this()](std::string message) {
    if (auto self = weak.lock(); self && !self->closed_ && self->channel_)
      self->on_message(std::move(message));
  });
}

void exec_relay::on_message(std::string message) {
  if (message.empty())
    return read_next();
  const auto channel = static_cast<unsigned char>(message[0]);
  exec_io io;
  if (channel == stdin_channel) {
    io.input = message.substr(1);
    if (io.input.empty())
      return read_next();
  } else if (channel == resize_channel) {
    auto size = messages::json::parse(message.begin() + 1, message.end(), nullptr, false);
    if (!size.is_object())
      return read_next();
    auto number = [&](const char* key) -> uint32_t {
      auto it = size.find(key);
      if (it == size.end() || !it->is_number_unsigned())
        return 0;
      return static_cast<uint32_t>(std::min<uint64_t>(it->get<uint64_t>(), 0xffff));
    };
    io.width = number("Width");
    io.height = number("Height");
  } else if (channel == close_channel && v5_ && message.size() >= 2 &&
             message[1] == stdin_channel) {
    io.close_input = true;
  } else {
    return read_next();  // nothing else is the client's to send
  }
  pass(std::move(io));
}

void exec_relay::pass(exec_io io) { ask(std::move(io), &exec_relay::on_taken); }

void exec_relay::on_taken(exec_reply reply) {
  if (reply.refused)
    return;  // the stream is over; the poll reports how
  read_next();
}

}  // namespace capstan::api
