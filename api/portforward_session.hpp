// One `kubectl port-forward` connection: a SPDY/3.1 session (spdy_framing.hpp) carried in the
// binary messages of a WebSocket (subprotocol SPDY/3.1+portforward.k8s.io). kubectl opens two
// streams per forwarded TCP connection, named by its `requestID` header: an error stream and a
// data stream with the pod's `port`. For each data stream the pod's node connects to that port
// in the pod's network namespace (an exec_request with `port`, through the node gateway), and the
// session relays: the stream's data to the node (one exec_io at a time), the node's output as
// DATA frames (one poll at a time, the next once the last is on the wire), a failed connect as
// text on the error stream; the connection's end closes both streams (FIN).
//
// Bounds: at most `max_connections` forwarded connections at once (more streams are refused
// with RST_STREAM); client data waiting for its node is capped per connection at
// `max_pending_input` — beyond, the session stops reading the WebSocket until it drains. A
// protocol error sends GOAWAY and closes. When the client leaves, every node connection is ended.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>

#include "api/io_gate.hpp"
#include "api/spdy_framing.hpp"
#include "api/websocket_channel.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::api {

class portforward_session : public std::enable_shared_from_this<portforward_session> {
public:
  // Not more than a node runs streams (32, shared with kubectl exec).
  static constexpr std::size_t max_connections = 32;
  static constexpr std::size_t max_pending_input = 256 * 1024;

  // `pod`: the node, namespace, name and uid every connection's exec_request carries.
  portforward_session(caf::actor_system& system, messages::node_gateway_actor gateway,
                      std::shared_ptr<io_gate> gate, messages::exec_request pod);
  // Ends the node connections still open.
  ~portforward_session();
  portforward_session(const portforward_session&) = delete;
  portforward_session& operator=(const portforward_session&) = delete;

  // On the channel's executor, once.
  void start(std::shared_ptr<websocket_channel> channel);

private:
  struct connection {
    uint64_t generation = 0;  // tells a later connection with a reused requestID apart
    uint32_t data_stream = 0, error_stream = 0;
    uint32_t port = 0;
    bool starting = false, started = false, ended = false;
    uint64_t node_stream = 0;
    std::string pending_input;     // the data stream's bytes the node has not taken yet
    std::size_t in_flight = 0;     // how many of them the exec_io in flight carries
    bool input_closed = false;     // the client ended the data stream (FIN)
    bool close_passed = false;     // ... and the node was told
    bool input_in_flight = false;  // one exec_io with input at a time
    std::string errors;            // what the node's side said went wrong (first 4 KiB)
  };

  // Sends on the channel if it is still open; false once it closed (a send may close it: the
  // client does not read).
  bool send(std::string frame, std::function<void()> written = {});
  void read_next();
  void on_message(std::string bytes);
  void on_frame(spdy::frame f);
  void on_syn_stream(const spdy::frame& f);
  void on_data(spdy::frame f);
  void reset(uint32_t stream_id);
  void fail_session(const std::string& why);

  void start_connection(const std::string& request);
  void on_started(const std::string& request, messages::exec_reply reply);
  void poll(const std::string& request);
  void on_output(const std::string& request, messages::exec_reply reply);
  void pump_input(const std::string& request);
  void on_taken(const std::string& request, messages::exec_reply reply);
  // Writes `error` (if any) on the error stream and ends both streams; forgets the connection.
  void end_connection(const std::string& request, const std::string& error);
  void terminate_on_node(uint64_t node_stream);
  bool input_backlogged() const;
  connection* find(const std::string& request);
  // The connection an asynchronous answer for `key` (requestID and generation) is for, if it
  // still exists; `request` is set to its requestID.
  connection* find_key(const std::string& key, std::string& request);
  std::string key_of(const std::string& request);

  // Sends `request` to the gateway; `done` runs on the channel's executor with the answer for
  // the connection of `key`, unless the session is gone or closed. A node stream started by an
  // answer that finds no session is terminated (`started_stream`).
  template <class Request, class Atom>
  void ask(Atom atom, Request request, const std::string& key,
           void (portforward_session::*done)(const std::string&, messages::exec_reply),
           bool started_stream = false);

  caf::actor_system& system_;
  const messages::node_gateway_actor gateway_;
  const std::shared_ptr<io_gate> gate_;
  const messages::exec_request pod_;
  // Executor only.
  std::shared_ptr<websocket_channel> channel_;
  bool closed_ = false;
  bool ending_ = false;   // GOAWAY sent or received: no frame is taken any more
  bool reading_ = false;  // a receive is outstanding
  uint64_t generations_ = 0;
  spdy::frame_reader reader_;
  spdy::header_inflater inflater_;
  spdy::header_deflater deflater_;
  std::map<std::string, connection> connections_;  // by kubectl's requestID
  std::map<uint32_t, std::string> request_of_stream_;
  uint32_t last_stream_ = 0;
};

}  // namespace capstan::api
