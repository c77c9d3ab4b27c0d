// The node gateway's bookkeeping as plain data and functions: which sessions (node agent
// actors) asked to join, which nodes each proved, which registrations are in flight, and the
// pod statuses waiting to go to the registry. The actor (node_gateway.cpp) only routes messages
// here and sends what these functions return. Every map shrinks when its session or node goes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "actors/commands.hpp"
#include "actors/read_model/derived_events.hpp"
#include "messages/node_interfaces.hpp"
#include "store/cluster_state.hpp"

namespace capstan::actors {

struct gateway_session {
  messages::node_agent_actor handle;
  std::string nonce;            // the pending challenge; cleared by its one prove attempt
  std::set<std::string> nodes;  // the nodes this session proved
  bool pod_network = false;     // wants node_routes
  std::string pod_network_mode;  // the mode the node asked for ("" : the cluster's)
  bool service_proxy = false;   // wants proxy_update
  bool remote = false;
  std::string peer_address;  // admitted to the join port guard (remote sessions)
  uint16_t peer_port = 0;
};

// What the gateway must do when a session ends.
struct ended_session {
  std::vector<std::string> dropped;  // its nodes, to be taken from the pod dispatcher
  std::string peer_address;          // to be forgotten by the join port guard when port != 0
  uint16_t peer_port = 0;
};

// What the gateway must do when a prove admitted `nodes` for a session.
struct accepted_nodes {
  // Nodes taken from older sessions (or from this one, proven again): the dispatcher hears of
  // them first, then of `nodes` with the session's handle.
  std::vector<std::string> dropped;
  bool first = false;  // the session had no node before: its proxy gets the full set
  const gateway_session* session = nullptr;
};

struct gateway_state {
  // Sessions that asked for a challenge but proved nothing yet, at most (each is a remote
  // actor behind a certificate of the node CA; this bounds what such a peer can make the
  // gateway hold). Proven nodes raise the bound by one each.
  std::size_t max_unproven_sessions = 4096;

  std::map<caf::actor_addr, gateway_session> sessions;
  std::map<std::string, caf::actor_addr> node_session;  // proven node -> its session
  std::set<std::string> registering;                    // nodes whose registration is in flight
  // Pod statuses received since the last flush: sent to the pod registry as one batch.
  command_batch statuses;
  // Deletes of pods whose nodes confirmed their end (a delete cannot be part of a batch).
  std::vector<object_command> confirmed_deletions;

  // A join request from `addr`: opens its session (or reuses it) and sets a fresh challenge
  // `nonce`. Nothing when the bound on sessions is reached. `opened` tells a new session (the
  // actor then monitors it).
  gateway_session* join(const caf::actor_addr& addr, const messages::node_agent_actor& handle,
                        bool remote, const messages::join_request& request, std::string nonce,
                        bool& opened);

  // The pending challenge of `addr`, taken (one prove attempt per challenge); nothing when
  // the session is unknown or has none pending.
  std::optional<std::string> take_challenge(const caf::actor_addr& addr);

  // Whether `addr` is the session that proved `node_name` (it may then speak for it).
  bool speaks_for(const caf::actor_addr& addr, const std::string& node_name) const;

  // The session that proved `node_name`, if any.
  const gateway_session* session_of(const std::string& node_name) const;

  // A registration of `node_name` starts; false when one is already in flight.
  bool begin_registration(const std::string& node_name);
  void end_registration(const std::string& node_name);

  // Takes `names` from whatever session holds them (a node deleted, or proven again by
  // another session of the same key); returns those that were held.
  std::vector<std::string> drop_nodes(const std::vector<std::string>& names);

  // A prove of `addr` admitted `names`: they move to this session. Nothing (and no change)
  // when the session ended meanwhile.
  std::optional<accepted_nodes> accept(const caf::actor_addr& addr,
                                       const std::vector<std::string>& names);

  // The session of `addr` ended (its actor went down): forgets it and its nodes. Nothing when
  // it was not known.
  std::optional<ended_session> end_session(const caf::actor_addr& addr);

  // Whether `addr` is a remote session whose TCP peer is not yet known.
  bool needs_peer(const caf::actor_addr& addr) const;
  // Records the TCP peer of `addr`; false when the session is gone (nothing to admit).
  bool set_peer(const caf::actor_addr& addr, const std::string& host, uint16_t port);

  // Whether some session with a pod network has nodes (route changes must go out).
  bool routes_wanted() const;

  // Queues the reports of `reports` that `addr` may make: for its own nodes' current pods
  // (same uid, still bound to that node), as status commands caused by "system:node:NAME".
  // Returns true when the queue was empty before and is not now (a flush must be scheduled).
  bool collect_statuses(const caf::actor_addr& addr, const store::cluster_state& s,
                        messages::pod_status_reports& reports);
  // The events of `reports` that `addr` may report: about its own nodes' current pods (same
  // uid, bound to that node), from component "kubelet" on that node, cut to 1 KiB of message.
  std::vector<reported_event> collect_events(const caf::actor_addr& addr,
                                             const store::cluster_state& s,
                                             const messages::pod_status_reports& reports) const;
  // Empties the queue into one batch.
  command_batch take_statuses();
  std::vector<object_command> take_confirmed_deletions();
};

// Whether two route lists are the same, entry by entry.
bool same_routes(const std::vector<messages::node_route>& a,
                 const std::vector<messages::node_route>& b);

// Every node's route (name, podCIDR, InternalIP), in name order.
messages::node_routes routes_of(const store::cluster_state& s);

}  // namespace capstan::actors
