#include "actors/nodes/node_gateway.hpp"

#include <cstdio>
#include <map>
#include <set>

#include <caf/io/middleman.hpp>

#include "actors/nodes/gateway_state.hpp"
#include "actors/nodes/join_checks.hpp"
#include "actors/nodes/join_port_guard.hpp"
#include "actors/nodes/pod_dispatcher.hpp"
#include "actors/nodes/proxy_feed.hpp"
#include "common/join_proof.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

// The actor's state: the bookkeeping (gateway_state.hpp) and the routes broadcast.
struct node_gateway_state : gateway_state {
  std::unique_ptr<common::client_certificate_verifier> verifier;
  // The node_routes payload: rebuilt when a node record made it stale, sent to sessions with a
  // pod network at their join and, debounced, on changes.
  node_routes routes;
  bool routes_stale = true;
  bool routes_broadcast_due = false;
  std::vector<node_route> broadcast_routes;  // what the last broadcast sent
  cluster_network network;
  static inline const char* name = "node-gateway";
};

using gateway_self = node_gateway_impl_actor::stateful_pointer<node_gateway_state>;

std::vector<node_name> as_node_names(const std::vector<std::string>& names) {
  std::vector<node_name> out;
  out.reserve(names.size());
  for (const auto& n : names)
    out.push_back({n});
  return out;
}

caf::actor_addr sender_address(gateway_self self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

const node_routes& current_routes(gateway_self self, const read_model* model) {
  if (self->state.routes_stale) {
    model->read([&](const store::cluster_state& s) { self->state.routes = routes_of(s); });
    self->state.routes_stale = false;
  }
  return self->state.routes;
}

// Whether the message comes from an actor of the master's own process that no other process can
// pose as. CAF 0.17 lets a peer of the join port send a "routed" message naming the master's
// node and the id of any local actor in the registry as its sender (basp's
// remote_message_handler looks the id up in registry()); actors are put there when their
// handle crosses to another process (this gateway, which talks to every node). The API's
// actors never talk to another process, so a registered sender is refused: it may be forged.
bool from_own_process(gateway_self self) {
  auto sender = self->current_sender();
  return sender && sender->node() == self->node() &&
         self->home_system().registry().get(sender->id()) == nullptr;
}

exec_reply exec_refusal(refusal_reason reason, std::string message) {
  exec_reply r;
  r.refused = {reason, std::move(message)};
  return r;
}

// Passes an exec message on to the session of `node_name`; its answer (or why there is none)
// goes back to the asker. The node holds a poll for at most 5 s, so 15 s means it is gone.
template <class Atom, class Message>
caf::result<exec_reply> forward_exec(gateway_self self, const std::string& node_name, Atom atom,
                                     Message message) {
  const auto* session = self->state.session_of(node_name);
  if (!session)
    return exec_refusal(refusal_reason::not_joined,
                        "no node agent of " + node_name + " is connected");
  auto rp = self->make_response_promise<exec_reply>();
  self->request(session->handle, std::chrono::seconds(15), atom, std::move(message))
      .then([=](exec_reply& reply) mutable { rp.deliver(std::move(reply)); },
            [=](caf::error& e) mutable {
              rp.deliver(exec_refusal(refusal_reason::not_joined,
                                      "the node agent of " + node_name +
                                          " did not answer: " + caf::to_string(e)));
            });
  return rp;
}

// A node record arrived: the routes are rebuilt and sent at most every 200 ms, so that a
// burst of joins costs a few rebuilds rather than one full list per join to every node.
void node_records_changed(gateway_self self) {
  self->state.routes_stale = true;
  if (self->state.routes_broadcast_due || !self->state.routes_wanted())
    return;
  self->state.routes_broadcast_due = true;
  self->delayed_send(self, std::chrono::milliseconds(200), routes_tick_atom::value);
}

// Takes `names` from whatever session holds them; tells the dispatcher.
void drop_nodes(gateway_self self, const pod_dispatcher_actor& dispatcher,
                const std::vector<std::string>& names) {
  auto dropped = self->state.drop_nodes(names);
  if (!dropped.empty())
    self->send(dispatcher, session_atom::value, as_node_names(dropped));
}

void session_ended(gateway_self self, const pod_dispatcher_actor& dispatcher,
                   const caf::actor_addr& addr, join_port_guard* guard) {
  auto ended = self->state.end_session(addr);
  if (!ended)
    return;
  for (const auto& name : ended->dropped)
    std::fprintf(stderr, "capstan master: node %s disconnected\n", name.c_str());
  if (!ended->dropped.empty())
    self->send(dispatcher, session_atom::value, as_node_names(ended->dropped));
  if (guard && ended->peer_port != 0)
    guard->forget(ended->peer_address, ended->peer_port);
}

// A remote session proved a node: its TCP peer is let past the join port's handshake deadline.
void admit_peer(gateway_self self, const caf::actor_addr& addr, join_port_guard* guard) {
  if (!guard || !self->state.needs_peer(addr))
    return;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, std::chrono::seconds(10), caf::get_atom::value, addr.node())
      .then(
          [=](const caf::node_id&, const std::string& host, uint16_t port) {
            if (self->state.set_peer(addr, host, port))
              guard->admit(host, port);
          },
          [](const caf::error&) {});
}

// Registers (first join) or refreshes (a join again) an admitted node; `done` gets the reply.
void register_node(gateway_self self, const node_gateway_links& links, admitted_node admitted,
                   const std::optional<node>& registered,
                   std::function<void(const command_reply&)> done) {
  const std::string name = admitted.description.metadata.name;
  std::string cause = "system:node:" + name;
  auto on_error = [done](const caf::error& e) {
    done(command_reply::failure(error_code::internal,
                                "the node registry did not answer: " + caf::to_string(e)));
  };
  if (!registered) {
    auto fresh = std::move(admitted.description);
    fresh.metadata.annotations[node_key_annotation] = admitted.key_sha256;
    self->request(links.nodes, caf::infinite, create_command{any_object(std::move(fresh)), cause})
        .then([done](const command_reply& reply) { done(reply); }, on_error);
    return;
  }
  // A node that joins again keeps its spec (podCIDR); its status is what it says now.
  auto refresh_status = [=, status = admitted.description.status](const node& current) {
    auto refreshed = current;
    refreshed.status = status;
    self->request(
            links.nodes, caf::infinite,
            object_command{
                object_kind::node, {"", name}, cause, status_op{any_object(std::move(refreshed))}})
        .then([done](const command_reply& reply) { done(reply); }, on_error);
  };
  if (registered->metadata.annotations.count(node_key_annotation)) {
    refresh_status(*registered);
    return;
  }
  // Registered without a key (created through the API): the first node to join binds it.
  auto bound = *registered;
  bound.metadata.annotations[node_key_annotation] = admitted.key_sha256;
  self->request(links.nodes, caf::infinite,
                object_command{
                    object_kind::node, {"", name}, cause, update_op{any_object(std::move(bound))}})
      .then(
          [=](const command_reply& reply) {
            if (!reply.ok() || !reply.object) {
              done(reply);
              return;
            }
            refresh_status(std::get<node>(*reply.object));
          },
          on_error);
}

// One prove message: every proof checked now, the admitted ones registered; the reply goes
// out when all registrations answered, then the session's nodes get their pods and state.
caf::result<join_results> prove(gateway_self self, const read_model* model,
                                const node_gateway_links& links,
                                const pod_dispatcher_actor& dispatcher, join_proofs& proofs) {
  auto addr = sender_address(self);
  join_results refused_all;
  auto refuse_all = [&](refusal why) {
    for (const auto& p : proofs.nodes)
      refused_all.nodes.push_back({p.description.metadata.name, false, why, {}});
    return refused_all;
  };
  auto challenge = self->state.take_challenge(addr);  // one attempt per challenge
  if (!challenge)
    return refuse_all({refusal_reason::no_challenge, "no join challenge is pending: ask again"});
  const std::string nonce = std::move(*challenge);
  if (proofs.nodes.size() > max_nodes_per_join)
    return refuse_all({refusal_reason::too_large,
                       "at most " + std::to_string(max_nodes_per_join) + " nodes per join"});
  const auto& cluster = self->state.network.pod_network;
  if (auto session = self->state.sessions.find(addr); session != self->state.sessions.end()) {
    const auto& asked = session->second.pod_network_mode;
    if (!asked.empty() && asked != cluster.mode) {  // asked: vxlan or routes (join checked)
      std::fprintf(stderr, "capstan master: refused a node asking for pod network %s\n",
                   asked.c_str());
      return refuse_all({refusal_reason::wrong_pod_network,
                         "the cluster's pod network is " + cluster.mode +
                             " (the master's --pod-network); this node was started with "
                             "--pod-network " + asked});
    }
  }
  auto results = std::make_shared<join_results>();
  results->nodes.resize(proofs.nodes.size());
  auto pending = std::make_shared<std::size_t>(1);  // 1 for this function's own pass
  auto rp = self->make_response_promise<join_results>();
  auto finish = [=]() mutable {
    if (--*pending != 0)
      return;
    std::vector<std::string> accepted;
    const join_result* unstored = nullptr;  // the first the master could not store
    std::size_t unstored_count = 0;
    for (const auto& r : results->nodes) {
      if (r.accepted)
        accepted.push_back(r.node_name);
      else if (r.refused.reason == refusal_reason::master_error && ++unstored_count == 1)
        unstored = &r;
    }
    if (unstored)  // one line a round, however many nodes it refused
      std::fprintf(stderr, "capstan master: %zu node%s not registered (%s: %s)\n", unstored_count,
                   unstored_count == 1 ? "" : "s", unstored->node_name.c_str(),
                   unstored->refused.message.c_str());
    if (!accepted.empty())  // the cluster's settings go to proven nodes only
      results->pod_network = self->state.network.pod_network;
    rp.deliver(*results);
    auto moved = self->state.accept(addr, accepted);
    if (!moved)
      return;
    if (!moved->dropped.empty())  // from any older session of the same key
      self->send(dispatcher, session_atom::value, as_node_names(moved->dropped));
    for (const auto& name : accepted)
      self->send(links.lifecycle, heartbeat_atom::value, node_name{name});
    const gateway_session* s = moved->session;
    std::fprintf(stderr, "capstan master: %zu node%s joined (%s%s)\n", accepted.size(),
                 accepted.size() == 1 ? "" : "s", accepted.front().c_str(),
                 accepted.size() > 1 ? ", ..." : "");
    self->send(dispatcher, session_atom::value, as_node_names(accepted), s->handle);
    if (moved->first && s->service_proxy)
      self->send(s->handle, proxy_atom::value, full_proxy_update(*model, self->state.network));
    if (s->pod_network)
      self->send(s->handle, nodes_atom::value, current_routes(self, model));
    admit_peer(self, addr, links.guard);
  };
  for (std::size_t i = 0; i < proofs.nodes.size(); ++i) {
    auto& proof = proofs.nodes[i];
    const std::string name = proof.description.metadata.name;
    auto& result = results->nodes[i];
    result.node_name = name;
    std::optional<node> registered;
    if (auto stored = model->get(object_kind::node, {"", name}))
      registered = std::get<node>(std::move(*stored));
    auto checked = check_join_proof(proof, nonce, *self->state.verifier, registered);
    if (auto* why = std::get_if<refusal>(&checked)) {
      std::fprintf(stderr, "capstan master: refused node %s: %s\n", name.c_str(),
                   why->message.c_str());
      result.refused = std::move(*why);
      continue;
    }
    if (!self->state.begin_registration(name)) {
      result.refused = {refusal_reason::master_error,
                        "a registration of node " + name + " is in progress: retry"};
      continue;
    }
    ++*pending;
    register_node(self, links, std::get<admitted_node>(std::move(checked)), registered,
                  [=](const command_reply& reply) mutable {
                    self->state.end_registration(name);
                    auto& r = results->nodes[i];
                    if (!reply.ok()) {
                      r.refused = {refusal_reason::master_error,
                                   "the master could not store the node: " + reply.error->message};
                    } else if (auto stored = model->get(object_kind::node, {"", name})) {
                      r.accepted = true;
                      r.stored = std::get<node>(std::move(*stored));
                    }
                    finish();
                  });
  }
  finish();
  return rp;
}

node_gateway_impl_actor::behavior_type node_gateway(gateway_self self, read_model* model,
                                                    node_gateway_links links,
                                                    std::string node_ca_pem,
                                                    cluster_network network) {
  // Pods go out through the dispatcher (linked: it stops with the gateway).
  auto dispatcher = spawn_pod_dispatcher(self->system(), *model);
  self->link_to(dispatcher);
  self->state.verifier = std::make_unique<common::client_certificate_verifier>(node_ca_pem);
  self->state.network = std::move(network);
  self->set_down_handler([=](const caf::down_msg& down) {
    session_ended(self, dispatcher, down.source, links.guard);
  });
  return {
      [=](join_atom, const join_request& request) -> caf::result<join_challenge> {
        auto sender = self->current_sender();
        if (!sender)
          return caf::make_error(caf::sec::invalid_argument, "a join needs a sender");
        const auto& mode = request.pod_network_mode;
        if (!mode.empty() && mode != pod_network_vxlan && mode != pod_network_routes)
          return caf::make_error(caf::sec::invalid_argument, "unknown pod network mode");
        bool opened = false;
        auto* session = self->state.join(
            caf::actor_cast<caf::actor_addr>(sender), caf::actor_cast<node_agent_actor>(sender),
            sender->node() != self->node(), request, common::random_nonce(), opened);
        if (!session)
          return caf::make_error(caf::sec::invalid_argument, "too many sessions");
        if (opened)
          self->monitor(sender);
        return join_challenge{session->nonce};
      },
      [=](prove_atom, join_proofs& proofs) -> caf::result<join_results> {
        return prove(self, model, links, dispatcher, proofs);
      },
      [=](nodebeat_atom, const node_heartbeats& beats) {
        for (const auto& name : beats.node_names)
          if (self->state.speaks_for(sender_address(self), name))
            self->send(links.lifecycle, heartbeat_atom::value, node_name{name});
      },
      [=](podstatus_atom, pod_status_reports& reports) {
        // One lock of the read model for the whole message; only the session's own nodes'
        // reports for their current pods count.
        bool flush_due = false;
        std::vector<reported_event> events;
        model->read([&](const store::cluster_state& s) {
          flush_due = self->state.collect_statuses(sender_address(self), s, reports);
          events = self->state.collect_events(sender_address(self), s, reports);
        });
        // Events are not journaled: the read model keeps them with the derived ones.
        model->record_reported_events(std::move(events));
        // Collected until the mailbox has been read through: many sessions' statuses then go
        // to the registry as one batch (one journal request), not one request each.
        if (flush_due)
          self->send(self, statuses_tick_atom::value);
      },
      [=](statuses_tick_atom) {
        for (auto& deletion : self->state.take_confirmed_deletions())
          caf::anon_send(links.pods, std::move(deletion));
        auto batch = self->state.take_statuses();
        // Fire and forget (no sender, so no answer comes back): a status that failed (the pod
        // went meanwhile) is superseded by the node's next report.
        if (!batch.commands.empty())
          caf::anon_send(links.pods, std::move(batch));
      },
      [=](logs_atom, const log_request& request) -> caf::result<log_chunk> {
        if (!from_own_process(self))
          return log_chunk{{}, 0, {refusal_reason::not_joined, "logs are read through the API"}};
        auto current = model->get(object_kind::pod, {request.namespace_, request.pod_name});
        if (!current)
          return log_chunk{{}, 0, {refusal_reason::no_such_pod, "no such pod"}};
        std::string node_name = std::get<pod>(*current).spec.node_name;
        const auto* session = self->state.session_of(node_name);
        if (!session)
          return log_chunk{
              {},
              0,
              {refusal_reason::not_joined, "no node agent of " + node_name + " is connected"}};
        auto forwarded = request;
        forwarded.node_name = node_name;
        auto rp = self->make_response_promise<log_chunk>();
        self->request(session->handle, std::chrono::seconds(10), logs_atom::value,
                      std::move(forwarded))
            .then([=](log_chunk& chunk) mutable { rp.deliver(std::move(chunk)); },
                  [=](caf::error& e) mutable {
                    rp.deliver(log_chunk{
                        {},
                        0,
                        {refusal_reason::not_joined, "the node agent of " + node_name +
                                                         " did not answer: " + caf::to_string(e)}});
                  });
        return rp;
      },
      [=](exec_atom, exec_request& request) -> caf::result<exec_reply> {
        if (!from_own_process(self))
          return exec_refusal(refusal_reason::not_joined, "commands are run through the API");
        auto current = model->get(object_kind::pod, {request.namespace_, request.pod_name});
        if (!current)
          return exec_refusal(refusal_reason::no_such_pod, "no such pod");
        const std::string node = std::get<pod>(*current).spec.node_name;
        request.node_name = node;
        return forward_exec(self, node, exec_atom::value, std::move(request));
      },
      [=](execio_atom, exec_io& io) -> caf::result<exec_reply> {
        if (!from_own_process(self))
          return exec_refusal(refusal_reason::not_joined, "commands are run through the API");
        auto node = io.node_name;
        return forward_exec(self, node, execio_atom::value, std::move(io));
      },
      [=](committed_atom, const committed_batch& batch) {
        self->send(dispatcher, committed_atom::value, batch);
        bool nodes_changed = false;
        std::vector<std::string> deleted_nodes;
        for (const auto& r : *batch)
          if (r.kind == object_kind::node) {
            nodes_changed = true;
            if (std::holds_alternative<object_deleted>(r.event))
              deleted_nodes.push_back(r.name);
          }
        // A deleted node's session no longer speaks for it (its name is free to register).
        drop_nodes(self, dispatcher, deleted_nodes);
        if (nodes_changed)
          node_records_changed(self);
        if (auto changes = proxy_changes(*model, batch))
          for (const auto& [addr, s] : self->state.sessions)
            if (s.service_proxy && !s.nodes.empty())
              self->send(s.handle, proxy_atom::value, *changes);
      },
      [=](routes_tick_atom) {
        self->state.routes_broadcast_due = false;
        const auto& now = current_routes(self, model);
        if (same_routes(now.nodes, self->state.broadcast_routes))
          return;
        self->state.broadcast_routes = now.nodes;
        for (const auto& [addr, s] : self->state.sessions)
          if (s.pod_network && !s.nodes.empty())
            self->send(s.handle, nodes_atom::value, now);
      },
  };
}

}  // namespace

master_gateway_actor spawn_node_gateway(caf::actor_system& system, read_model& model,
                                        node_gateway_links links, std::string node_ca_pem,
                                        cluster_network network) {
  return system.spawn(node_gateway, &model, std::move(links), std::move(node_ca_pem),
                      std::move(network));
}

}  // namespace capstan::actors
