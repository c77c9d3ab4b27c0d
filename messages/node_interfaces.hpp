// The node protocol's CAF side: the atoms and the typed interfaces of the master's node
// gateway and of a node agent, how each message crosses a process (one Cap'n Proto message,
// messages/node_protocol.hpp), and the registration both actor systems need. Included only by
// code that runs actors (the messages library itself does not link CAF).
//
// A session is one agent actor: it proves one node (a real agent) or many (a simulator) and
// then speaks for exactly those. The gateway answers:
//   (join_atom, join_request) -> join_challenge       a fresh nonce for this session
//   (prove_atom, join_proofs) -> join_results         one result per proof, in order
//   (nodebeat_atom, node_heartbeats)                  these nodes of the session are alive
//   (podstatus_atom, pod_status_reports)              newest pod statuses of the session's nodes
//   (logs_atom, log_request) -> log_chunk             from the master's own API only
//   (exec_atom, exec_request) -> exec_reply           from the master's own API only
//   (execio_atom, exec_io) -> exec_reply              from the master's own API only
// The agent answers:
//   (pods_atom, pod_assignments)     per round of commits: full sets or changes, per node
//   (proxy_atom, proxy_update)       services and endpoints for the service proxy
//   (nodes_atom, node_routes)        every node, for pod routes (agents with a pod network)
//   (logs_atom, log_request) -> log_chunk
//   (exec_atom, exec_request) -> exec_reply   starts a command in a container
//   (execio_atom, exec_io) -> exec_reply      drives it (input, resize, poll, terminate)
#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/sec.hpp>
#include <caf/typed_actor.hpp>

#include "messages/capnp_codec.hpp"
#include "messages/node_protocol.hpp"

namespace capstan::messages {

using join_atom = caf::atom_constant<caf::atom("join")>;
using prove_atom = caf::atom_constant<caf::atom("prove")>;
using nodebeat_atom = caf::atom_constant<caf::atom("nodebeat")>;
using podstatus_atom = caf::atom_constant<caf::atom("podstatus")>;
using pods_atom = caf::atom_constant<caf::atom("pods")>;
using proxy_atom = caf::atom_constant<caf::atom("proxy")>;
using nodes_atom = caf::atom_constant<caf::atom("nodes")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using exec_atom = caf::atom_constant<caf::atom("exec")>;
using execio_atom = caf::atom_constant<caf::atom("execio")>;

using node_gateway_actor = caf::typed_actor<
    caf::replies_to<join_atom, join_request>::with<join_challenge>,
    caf::replies_to<prove_atom, join_proofs>::with<join_results>,
    caf::reacts_to<nodebeat_atom, node_heartbeats>,
    caf::reacts_to<podstatus_atom, pod_status_reports>,
    caf::replies_to<logs_atom, log_request>::with<log_chunk>,
    caf::replies_to<exec_atom, exec_request>::with<exec_reply>,
    caf::replies_to<execio_atom, exec_io>::with<exec_reply>>;

using node_agent_actor = caf::typed_actor<caf::reacts_to<pods_atom, pod_assignments>,
                                          caf::reacts_to<proxy_atom, proxy_update>,
                                          caf::reacts_to<nodes_atom, node_routes>,
                                          caf::replies_to<logs_atom, log_request>::with<log_chunk>,
                                          caf::replies_to<exec_atom, exec_request>::with<exec_reply>,
                                          caf::replies_to<execio_atom, exec_io>::with<exec_reply>>;

namespace detail {

// Serializing writes the value's Cap'n Proto bytes; deserializing decodes them, and a value
// that does not decode fails the message (CAF drops it) rather than reaching an actor.
template <class Inspector, class T>
typename Inspector::result_type inspect_as_capnp(Inspector& f, T& x, const char* name) {
  std::string bytes;
  if constexpr (Inspector::reads_state) {
    bytes = encode_node_message(x);
    return f(caf::meta::type_name(name), bytes);
  } else {
    auto decode = caf::meta::load_callback([&]() -> caf::error {
      try {
        x = decode_node_message<T>(bytes);
        return caf::none;
      } catch (const std::exception&) {
        return caf::make_error(caf::sec::invalid_argument);
      }
    });
    return f(caf::meta::type_name(name), bytes, decode);
  }
}

}  // namespace detail

#define CAPSTAN_NODE_MESSAGE_INSPECT(T)                                         \
  template <class Inspector>                                                    \
  typename Inspector::result_type inspect(Inspector& f, T& x) {                 \
    return detail::inspect_as_capnp(f, x, "capstan::" #T);                      \
  }
CAPSTAN_NODE_MESSAGE_INSPECT(join_request)
CAPSTAN_NODE_MESSAGE_INSPECT(join_challenge)
CAPSTAN_NODE_MESSAGE_INSPECT(join_proofs)
CAPSTAN_NODE_MESSAGE_INSPECT(join_results)
CAPSTAN_NODE_MESSAGE_INSPECT(node_heartbeats)
CAPSTAN_NODE_MESSAGE_INSPECT(pod_status_reports)
CAPSTAN_NODE_MESSAGE_INSPECT(pod_assignments)
CAPSTAN_NODE_MESSAGE_INSPECT(proxy_update)
CAPSTAN_NODE_MESSAGE_INSPECT(node_routes)
CAPSTAN_NODE_MESSAGE_INSPECT(log_request)
CAPSTAN_NODE_MESSAGE_INSPECT(log_chunk)
CAPSTAN_NODE_MESSAGE_INSPECT(exec_request)
CAPSTAN_NODE_MESSAGE_INSPECT(exec_io)
CAPSTAN_NODE_MESSAGE_INSPECT(exec_reply)
#undef CAPSTAN_NODE_MESSAGE_INSPECT

// Registers every protocol message with `cfg`: both ends of a remote link must call it before
// their actor system starts.
inline void add_node_protocol_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<join_request>("capstan::join_request");
  cfg.add_message_type<join_challenge>("capstan::join_challenge");
  cfg.add_message_type<join_proofs>("capstan::join_proofs");
  cfg.add_message_type<join_results>("capstan::join_results");
  cfg.add_message_type<node_heartbeats>("capstan::node_heartbeats");
  cfg.add_message_type<pod_status_reports>("capstan::pod_status_reports");
  cfg.add_message_type<pod_assignments>("capstan::pod_assignments");
  cfg.add_message_type<proxy_update>("capstan::proxy_update");
  cfg.add_message_type<node_routes>("capstan::node_routes");
  cfg.add_message_type<log_request>("capstan::log_request");
  cfg.add_message_type<log_chunk>("capstan::log_chunk");
  cfg.add_message_type<exec_request>("capstan::exec_request");
  cfg.add_message_type<exec_io>("capstan::exec_io");
  cfg.add_message_type<exec_reply>("capstan::exec_reply");
}

}  // namespace capstan::messages
