#include "api/portforward_session.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace capstan::api {

namespace {

using messages::exec_io;
using messages::exec_reply;
using messages::exec_request;

// The node holds a poll for 5 s; the gateway gives it 15 s.
constexpr auto node_timeout = std::chrono::seconds(20);
// What one exec_io carries of the client's data.
constexpr std::size_t input_chunk = 64 * 1024;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string header(const spdy::header_list& headers, const char* name) {
  for (const auto& [n, v] : headers)
    if (lower(n) == name)
      return v;
  return {};
}

// "80" -> 80; 0 for anything that is not a port.
uint32_t parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
    return 0;
  auto port = static_cast<uint32_t>(std::stoul(text));
  return port <= 65535 ? port : 0;
}

// Tells the node to end stream `stream`, from an actor of this process (the gateway takes exec
// messages from its own process only); the answer is not awaited.
void terminate_stream(caf::actor_system& system, const messages::node_gateway_actor& gateway,
                      const std::string& node, uint64_t stream) {
  exec_io io;
  io.node_name = node;
  io.stream = stream;
  io.terminate = true;
  system.spawn([gateway, io = std::move(io)](caf::event_based_actor* self) {
    self->send(gateway, messages::execio_atom::value, io);
  });
}

}  // namespace

portforward_session::portforward_session(caf::actor_system& system,
                                         messages::node_gateway_actor gateway,
                                         std::shared_ptr<io_gate> gate, exec_request pod)
    : system_(system), gateway_(std::move(gateway)), gate_(std::move(gate)), pod_(std::move(pod)) {}

portforward_session::~portforward_session() {
  for (const auto& [request, c] : connections_)
    if (c.started && !c.ended)
      terminate_on_node(c.node_stream);
}

void portforward_session::terminate_on_node(uint64_t node_stream) {
  terminate_stream(system_, gateway_, pod_.node_name, node_stream);
}

void portforward_session::start(std::shared_ptr<websocket_channel> channel) {
  channel_ = std::move(channel);
  channel_->on_close([self = shared_from_this()] {
    self->closed_ = true;
    self->channel_.reset();  // the session goes with its last pending answer
  });
  read_next();
}

bool portforward_session::send(std::string frame, std::function<void()> written) {
  auto channel = channel_;  // a send that overflows the backlog closes it: channel_ resets
  return channel && channel->send(std::move(frame), std::move(written));
}

std::string portforward_session::key_of(const std::string& request) {
  auto* c = find(request);
  return request + '\n' + std::to_string(c ? c->generation : 0);
}

portforward_session::connection* portforward_session::find_key(const std::string& key,
                                                               std::string& request) {
  auto newline = key.rfind('\n');
  request = key.substr(0, newline);
  auto* c = find(request);
  return c && std::to_string(c->generation) == key.substr(newline + 1) ? c : nullptr;
}

template <class Request, class Atom>
void portforward_session::ask(Atom atom, Request request, const std::string& key,
                              void (portforward_session::*done)(const std::string&, exec_reply),
                              bool started_stream) {
  if (closed_ || !channel_)
    return;
  auto executor = channel_->executor();
  auto deliver = [weak = weak_from_this(), gate = gate_, executor, done, key, started_stream,
                  &system = system_, gateway = gateway_, node = pod_.node_name](exec_reply reply) {
    auto orphan = [&](const exec_reply& r) {
      if (started_stream && !r.refused)
        terminate_stream(system, gateway, node, r.stream);
    };
    bool posted = gate->post(executor, [weak, done, key, orphan, reply]() mutable {
      auto self = weak.lock();
      if (self && !self->closed_ && self->channel_)
        ((*self).*done)(key, std::move(reply));
      else
        orphan(reply);
    });
    if (!posted)
      orphan(reply);
  };
  // The answer comes on a CAF thread, maybe after the channel closed: it holds the session
  // weakly and posts through the gate.
  system_.spawn([gateway = gateway_, atom, request = std::move(request),
                 deliver](caf::event_based_actor* self) {
    self->request(gateway, node_timeout, atom, request)
        .then([deliver](exec_reply& reply) { deliver(std::move(reply)); },
              [deliver, self](caf::error& e) {
                exec_reply failed;
                failed.refused = {messages::refusal_reason::not_joined,
                                  "the node gateway did not answer: " + self->system().render(e)};
                deliver(std::move(failed));
              });
  });
}

// ---- the client's side ----

bool portforward_session::input_backlogged() const {
  for (const auto& [request, c] : connections_)
    if (c.pending_input.size() >= max_pending_input)
      return true;
  return false;
}

void portforward_session::read_next() {
  if (closed_ || ending_ || !channel_ || reading_ || input_backlogged())
    return;
  reading_ = true;
  channel_->receive([weak = weak_from_this()](std::string bytes) {
    if (auto self = weak.lock(); self && !self->closed_ && self->channel_) {
      self->reading_ = false;
      self->on_message(std::move(bytes));
    }
  });
}

void portforward_session::on_message(std::string bytes) {
  try {
    reader_.feed(bytes);
    while (auto f = reader_.next()) {
      on_frame(std::move(*f));
      if (closed_ || ending_ || !channel_)
        return;
    }
  } catch (const spdy::protocol_error& e) {
    return fail_session(e.what());
  }
  read_next();
}

void portforward_session::fail_session(const std::string& why) {
  std::fprintf(stderr, "capstan master: port-forward to pod %s/%s: %s\n",
               pod_.namespace_.c_str(), pod_.pod_name.c_str(), why.c_str());
  ending_ = true;
  send(spdy::goaway_frame(last_stream_, spdy::protocol_error_status));
  if (auto channel = channel_)
    channel->close_normally();
}

void portforward_session::on_frame(spdy::frame f) {
  if (!f.control)
    return on_data(std::move(f));
  switch (f.type) {
    case spdy::syn_stream:
      return on_syn_stream(f);
    case spdy::syn_reply:
    case spdy::headers:
      // Their header blocks go through the one inflater: it must see every block.
      inflater_.decode(std::string_view(f.payload).substr(std::min<std::size_t>(4, f.payload.size())));
      return;
    case spdy::rst_stream: {
      uint32_t id = spdy::leading_stream_id(f.payload);
      auto it = request_of_stream_.find(id);
      if (it == request_of_stream_.end())
        return;
      auto c = connections_.find(it->second);
      if (c != connections_.end()) {
        if (c->second.started && !c->second.ended)
          terminate_on_node(c->second.node_stream);
        request_of_stream_.erase(c->second.data_stream);
        request_of_stream_.erase(c->second.error_stream);
        connections_.erase(c);
      }
      return;
    }
    case spdy::ping:
      if (f.payload.size() == 4)
        send(spdy::ping_frame(f.payload));
      return;
    case spdy::goaway:
      ending_ = true;
      if (auto channel = channel_)
        channel->close_normally();
      return;
    default:
      return;  // SETTINGS, WINDOW_UPDATE: nothing to do (no flow control is enforced)
  }
}

void portforward_session::reset(uint32_t stream_id) {
  send(spdy::rst_stream_frame(stream_id, spdy::refused_stream));
}

void portforward_session::on_syn_stream(const spdy::frame& f) {
  auto [id, block] = spdy::syn_stream_fields(f.payload);
  auto headers = inflater_.decode(block);
  // SPDY: a client's new stream ids increase (and are odd).
  if (id <= last_stream_ || id % 2 == 0)
    throw spdy::protocol_error("stream id " + std::to_string(id) + " after " +
                               std::to_string(last_stream_));
  last_stream_ = id;
  const std::string type = header(headers, "streamtype");
  std::string request = header(headers, "requestid");
  if (request.empty())  // clients before requestID: the data stream follows its error stream
    request = "stream-" + std::to_string(type == "data" ? id - 2 : id);
  if (type != "data" && type != "error")
    return reset(id);
  auto it = connections_.find(request);
  if (it == connections_.end()) {
    if (connections_.size() >= max_connections)
      return reset(id);
    it = connections_.emplace(request, connection{}).first;
    it->second.generation = ++generations_;
  }
  auto& c = it->second;
  if ((type == "data" && c.data_stream) || (type == "error" && c.error_stream))
    return reset(id);
  if (!send(spdy::syn_reply_frame(id, deflater_.encode({}))))
    return;
  request_of_stream_[id] = request;
  if (type == "error") {
    c.error_stream = id;
    return;
  }
  c.data_stream = id;
  c.port = parse_port(header(headers, "port"));
  if (c.port == 0)
    return end_connection(request, "invalid port \"" + header(headers, "port").substr(0, 32) + "\"");
  start_connection(request);
}

void portforward_session::on_data(spdy::frame f) {
  auto it = request_of_stream_.find(f.stream_id);
  if (it == request_of_stream_.end())
    return;  // a stream that ended
  const std::string request = it->second;
  auto* c = find(request);
  if (!c || f.stream_id != c->data_stream)
    return;  // kubectl sends nothing on the error stream but its end
  if (c->input_closed)
    return;  // data after the stream's end: not the client's to send
  c->pending_input += f.payload;
  if (f.flags & spdy::flag_fin)
    c->input_closed = true;
  pump_input(request);
}

portforward_session::connection* portforward_session::find(const std::string& request) {
  auto it = connections_.find(request);
  return it == connections_.end() ? nullptr : &it->second;
}

// ---- the node's side ----

void portforward_session::start_connection(const std::string& request) {
  auto* c = find(request);
  if (!c || c->starting)
    return;
  c->starting = true;
  exec_request start = pod_;
  start.port = c->port;
  ask(messages::exec_atom::value, std::move(start), key_of(request),
      &portforward_session::on_started, true);
}

void portforward_session::on_started(const std::string& key, exec_reply reply) {
  std::string request;
  auto* c = find_key(key, request);
  if (!c) {
    if (!reply.refused)
      terminate_on_node(reply.stream);  // the client reset the stream meanwhile
    return;
  }
  if (reply.refused)
    return end_connection(request, "error forwarding port " + std::to_string(c->port) +
                                       " to pod " + pod_.pod_name + ": " +
                                       reply.refused.message);
  c->started = true;
  c->node_stream = reply.stream;
  poll(request);
  pump_input(request);
}

void portforward_session::poll(const std::string& request) {
  auto* c = find(request);
  if (!c || c->ended)
    return;
  exec_io io;
  io.node_name = pod_.node_name;
  io.stream = c->node_stream;
  io.poll = true;
  ask(messages::execio_atom::value, std::move(io), key_of(request),
      &portforward_session::on_output);
}

void portforward_session::on_output(const std::string& key, exec_reply reply) {
  std::string request;
  auto* c = find_key(key, request);
  if (!c || c->ended)
    return;
  if (reply.refused)  // gone from the node, or the gateway timed out: ended either way
    return end_connection(request, reply.refused.message);
  // The node's side reports a failed connect on stderr, maybe before it exits.
  c->errors += reply.errors.substr(0, 4096 - std::min<std::size_t>(4096, c->errors.size()));
  if (!reply.output.empty()) {
    std::function<void()> next;
    if (!reply.exited)
      next = [weak = weak_from_this(), key] {
        std::string request;
        if (auto self = weak.lock(); self && !self->closed_ && self->find_key(key, request))
          self->poll(request);
      };
    if (!send(spdy::data_frame(c->data_stream, reply.output), next))
      return;
  }
  if (reply.exited) {
    c->ended = true;
    std::string error = c->errors;
    while (!error.empty() && error.back() == '\n')
      error.pop_back();
    if (error.empty() && reply.exit_code != 0)
      error = "the connection to the pod ended with exit code " + std::to_string(reply.exit_code);
    return end_connection(request, error.empty() ? std::string() :
                                       "error forwarding port " + std::to_string(c->port) +
                                       " to pod " + pod_.pod_name + ": " + error);
  }
  if (reply.output.empty())
    poll(request);  // nothing to write: at once (a reply with only errors included)
}

void portforward_session::pump_input(const std::string& request) {
  auto* c = find(request);
  if (!c || !c->started || c->ended || c->input_in_flight)
    return;
  const bool close_due = c->input_closed && !c->close_passed;
  if (c->pending_input.empty() && !close_due)
    return;
  exec_io io;
  io.node_name = pod_.node_name;
  io.stream = c->node_stream;
  // The bytes stay pending until the node took them (on_taken).
  c->in_flight = std::min(input_chunk, c->pending_input.size());
  io.input = c->pending_input.substr(0, c->in_flight);
  io.close_input = c->input_closed && c->in_flight == c->pending_input.size();
  c->close_passed = c->close_passed || io.close_input;
  c->input_in_flight = true;
  ask(messages::execio_atom::value, std::move(io), key_of(request),
      &portforward_session::on_taken);
}

void portforward_session::on_taken(const std::string& key, exec_reply reply) {
  std::string request;
  auto* c = find_key(key, request);
  if (!c)
    return read_next();
  if (reply.refused) {
    // Whether the node took the bytes is unknown: the stream cannot go on without a hole.
    return end_connection(request, "error forwarding port " + std::to_string(c->port) +
                                       " to pod " + pod_.pod_name +
                                       ": the pod did not take the data: " +
                                       reply.refused.message);
  }
  c->pending_input.erase(0, std::min(c->in_flight, c->pending_input.size()));
  c->in_flight = 0;
  c->input_in_flight = false;
  pump_input(request);
  read_next();  // the backlog may have drained
}

void portforward_session::end_connection(const std::string& request, const std::string& error) {
  auto* c = find(request);
  if (!c)
    return;
  if (c->error_stream) {
    if (!error.empty())
      send(spdy::data_frame(c->error_stream, error));
    send(spdy::data_frame(c->error_stream, {}, true));
  }
  if (c->data_stream)
    send(spdy::data_frame(c->data_stream, {}, true));
  if (c->started && !c->ended)
    terminate_on_node(c->node_stream);
  request_of_stream_.erase(c->data_stream);
  request_of_stream_.erase(c->error_stream);
  connections_.erase(request);
  read_next();
}

}  // namespace capstan::api
