#include "actors/nodes/node_gateway.hpp"

#include <cstdio>
#include <map>
#include <set>

#include <caf/io/middleman.hpp>

#include "actors/nodes/join_checks.hpp"
#include "actors/nodes/join_port_guard.hpp"
#include "actors/nodes/pod_dispatcher.hpp"
#include "actors/nodes/proxy_feed.hpp"
#include "common/join_proof.hpp"
#include "messages/node_interfaces.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

// Sessions that asked for a challenge but proved nothing yet, at most (each is a remote actor
// behind a certificate of the node CA; this bounds what such a peer can make the gateway hold).
constexpr std::size_t max_unproven_sessions = 4096;

struct session_info {
  node_agent_actor handle;
  std::string nonce;            // the pending challenge; cleared by its one prove attempt
  std::set<std::string> nodes;  // the nodes this session proved
  bool pod_network = false;     // wants node_routes
  bool service_proxy = false;   // wants proxy_update
  bool remote = false;
  std::string peer_address;  // admitted to the join port guard (remote sessions)
  uint16_t peer_port = 0;
};

struct gateway_state {
  std::unique_ptr<common::client_certificate_verifier> verifier;
  std::map<caf::actor_addr, session_info> sessions;
  std::map<std::string, caf::actor_addr> node_session;  // proven node -> its session
  std::set<std::string> registering;  // nodes whose registration is in flight
  // The node_routes payload: rebuilt when a node record made it stale, sent to sessions with a
  // pod network at their join and, debounced, on changes.
  node_routes routes;
  bool routes_stale = true;
  bool routes_broadcast_due = false;
  std::vector<node_route> broadcast_routes;  // what the last broadcast sent
  std::string service_cidr;
  // Pod statuses received since the last flush: sent to the pod registry as one batch.
  command_batch statuses;
  static inline const char* name = "node-gateway";
};

using gateway_actor = caf::stateful_actor<gateway_state>;

using routes_tick_atom = caf::atom_constant<caf::atom("routestick")>;
using statuses_tick_atom = caf::atom_constant<caf::atom("statustick")>;

caf::actor_addr sender_address(gateway_actor* self) {
  return caf::actor_cast<caf::actor_addr>(self->current_sender());
}

// The session `node_name` belongs to, when the current message comes from it.
bool from_session_of(gateway_actor* self, const std::string& node_name) {
  auto it = self->state.node_session.find(node_name);
  return it != self->state.node_session.end() && it->second == sender_address(self);
}

const node_routes& current_routes(gateway_actor* self, const read_model* model) {
  if (self->state.routes_stale) {
    self->state.routes.nodes.clear();
    model->read([&](const store::cluster_state& s) {
      for (const auto& [key, o] : s.of(object_kind::node)) {
        const auto& n = std::get<node>(o);
        node_route route{n.metadata.name, n.spec.pod_cidr, ""};
        for (const auto& a : n.status.addresses)
          if (a.type == "InternalIP")
            route.address = a.address;
        self->state.routes.nodes.push_back(std::move(route));
      }
    });
    self->state.routes_stale = false;
  }
  return self->state.routes;
}

bool same_routes(const std::vector<node_route>& a, const std::vector<node_route>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].pod_cidr != b[i].pod_cidr || a[i].address != b[i].address)
      return false;
  return true;
}

// A node record arrived: the routes are rebuilt and sent at most every 200 ms, so that a
// burst of joins costs a few rebuilds rather than one full list per join to every node.
void node_records_changed(gateway_actor* self) {
  self->state.routes_stale = true;
  if (self->state.routes_broadcast_due)
    return;
  for (const auto& [addr, s] : self->state.sessions)
    if (s.pod_network && !s.nodes.empty()) {
      self->state.routes_broadcast_due = true;
      self->delayed_send(self, std::chrono::milliseconds(200), routes_tick_atom::value);
      return;
    }
}

// Removes `names` from whatever session holds them (a node deleted, or proven again by
// another session of the same key); tells the dispatcher.
void drop_nodes(gateway_actor* self, const caf::actor& dispatcher,
                const std::vector<std::string>& names) {
  std::vector<std::string> dropped;
  for (const auto& name : names) {
    auto it = self->state.node_session.find(name);
    if (it == self->state.node_session.end())
      continue;
    auto s = self->state.sessions.find(it->second);
    if (s != self->state.sessions.end())
      s->second.nodes.erase(name);
    self->state.node_session.erase(it);
    dropped.push_back(name);
  }
  if (!dropped.empty())
    self->send(dispatcher, session_atom::value, std::move(dropped));
}

void session_ended(gateway_actor* self, const caf::actor& dispatcher, const caf::actor_addr& addr,
                   join_port_guard* guard) {
  auto it = self->state.sessions.find(addr);
  if (it == self->state.sessions.end())
    return;
  std::vector<std::string> names(it->second.nodes.begin(), it->second.nodes.end());
  for (const auto& name : names)
    std::fprintf(stderr, "capstan master: node %s disconnected\n", name.c_str());
  drop_nodes(self, dispatcher, names);
  if (guard && it->second.peer_port != 0)
    guard->forget(it->second.peer_address, it->second.peer_port);
  self->state.sessions.erase(addr);
}

// A remote session proved a node: its TCP peer is let past the join port's handshake deadline.
void admit_peer(gateway_actor* self, const caf::actor_addr& addr, join_port_guard* guard) {
  auto it = self->state.sessions.find(addr);
  if (!guard || it == self->state.sessions.end() || !it->second.remote || it->second.peer_port)
    return;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, std::chrono::seconds(10), caf::get_atom::value, addr.node())
      .then(
          [=](const caf::node_id&, const std::string& host, uint16_t port) {
            auto s = self->state.sessions.find(addr);
            if (s == self->state.sessions.end() || port == 0)
              return;
            s->second.peer_address = host;
            s->second.peer_port = port;
            guard->admit(host, port);
          },
          [](const caf::error&) {});
}

// Registers (first join) or refreshes (a join again) an admitted node; `done` gets the reply.
void register_node(gateway_actor* self, const node_gateway_links& links, admitted_node admitted,
                   const std::optional<node>& registered,
                   std::function<void(const command_reply&)> done) {
  const std::string name = admitted.description.metadata.name;
  std::string cause = "system:node:" + name;
  auto on_error = [done](const caf::error& e) {
    done(command_reply::failure(error_code::internal, "the node registry did not answer: " +
                                                          caf::to_string(e)));
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
    self->request(links.nodes, caf::infinite,
                  object_command{object_kind::node, {"", name}, cause,
                                 status_op{any_object(std::move(refreshed))}})
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
                object_command{object_kind::node, {"", name}, cause,
                               update_op{any_object(std::move(bound))}})
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
caf::result<join_results> prove(gateway_actor* self, const read_model* model,
                                const node_gateway_links& links, const caf::actor& dispatcher,
                                join_proofs& proofs) {
  auto addr = sender_address(self);
  auto session = self->state.sessions.find(addr);
  join_results refused_all;
  auto refuse_all = [&](refusal why) {
    for (const auto& p : proofs.nodes)
      refused_all.nodes.push_back({p.description.metadata.name, false, why, {}});
    return refused_all;
  };
  if (session == self->state.sessions.end() || session->second.nonce.empty())
    return refuse_all({refusal_reason::no_challenge, "no join challenge is pending: ask again"});
  std::string nonce;
  nonce.swap(session->second.nonce);  // one attempt per challenge
  if (proofs.nodes.size() > max_nodes_per_join)
    return refuse_all({refusal_reason::too_large, "at most " +
                                                      std::to_string(max_nodes_per_join) +
                                                      " nodes per join"});
  auto results = std::make_shared<join_results>();
  results->nodes.resize(proofs.nodes.size());
  auto pending = std::make_shared<std::size_t>(1);  // 1 for this function's own pass
  auto rp = self->make_response_promise<join_results>();
  auto finish = [=]() mutable {
    if (--*pending != 0)
      return;
    std::vector<std::string> accepted;
    for (const auto& r : results->nodes)
      if (r.accepted)
        accepted.push_back(r.node_name);
    rp.deliver(*results);
    auto s = self->state.sessions.find(addr);
    if (accepted.empty() || s == self->state.sessions.end())
      return;
    bool first = s->second.nodes.empty();
    drop_nodes(self, dispatcher, accepted);  // from any older session of the same key
    s = self->state.sessions.find(addr);
    for (const auto& name : accepted) {
      s->second.nodes.insert(name);
      self->state.node_session[name] = addr;
      self->send(links.lifecycle, actors::heartbeat_atom::value, name);
    }
    std::fprintf(stderr, "capstan master: %zu node%s joined (%s%s)\n", accepted.size(),
                 accepted.size() == 1 ? "" : "s", accepted.front().c_str(),
                 accepted.size() > 1 ? ", ..." : "");
    self->send(dispatcher, session_atom::value, accepted, s->second.handle);
    if (first && s->second.service_proxy)
      self->send(s->second.handle, proxy_atom::value,
                 full_proxy_update(*model, self->state.service_cidr));
    if (s->second.pod_network)
      self->send(s->second.handle, nodes_atom::value, current_routes(self, model));
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
    if (!self->state.registering.insert(name).second) {
      result.refused = {refusal_reason::master_error,
                        "a registration of node " + name + " is in progress: retry"};
      continue;
    }
    ++*pending;
    register_node(self, links, std::get<admitted_node>(std::move(checked)), registered,
                  [=](const command_reply& reply) mutable {
                    self->state.registering.erase(name);
                    auto& r = results->nodes[i];
                    if (!reply.ok()) {
                      r.refused = {refusal_reason::master_error,
                                   "the master could not store the node: " +
                                       reply.error->message};
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

caf::behavior node_gateway(gateway_actor* self, const read_model* model, node_gateway_links links,
                           std::string node_ca_pem, std::string service_cidr) {
  // Pods go out through the dispatcher (linked: it stops with the gateway).
  auto dispatcher = spawn_pod_dispatcher(self->system(), *model);
  self->link_to(dispatcher);
  self->state.verifier = std::make_unique<common::client_certificate_verifier>(node_ca_pem);
  self->state.service_cidr = std::move(service_cidr);
  self->set_down_handler([=](const caf::down_msg& down) {
    session_ended(self, dispatcher, down.source, links.guard);
  });
  return {
      [=](join_atom, const join_request& request) -> caf::result<join_challenge> {
        auto sender = self->current_sender();
        if (!sender)
          return caf::make_error(caf::sec::invalid_argument, "a join needs a sender");
        auto addr = caf::actor_cast<caf::actor_addr>(sender);
        auto it = self->state.sessions.find(addr);
        if (it == self->state.sessions.end()) {
          if (self->state.sessions.size() >= max_unproven_sessions + self->state.node_session.size())
            return caf::make_error(caf::sec::invalid_argument, "too many sessions");
          it = self->state.sessions.emplace(addr, session_info{}).first;
          it->second.handle = caf::actor_cast<node_agent_actor>(sender);
          it->second.remote = sender->node() != self->node();
          self->monitor(sender);
        }
        it->second.nonce = common::random_nonce();
        it->second.pod_network = request.pod_network;
        it->second.service_proxy = request.service_proxy;
        return join_challenge{it->second.nonce};
      },
      [=](prove_atom, join_proofs& proofs) -> caf::result<join_results> {
        return prove(self, model, links, dispatcher, proofs);
      },
      [=](nodebeat_atom, const node_heartbeats& beats) {
        for (const auto& name : beats.node_names)
          if (from_session_of(self, name))
            self->send(links.lifecycle, actors::heartbeat_atom::value, name);
      },
      [=](podstatus_atom, pod_status_reports& reports) {
        // One lock of the read model for the whole message; only the session's own nodes'
        // reports for their current pods count.
        bool was_empty = self->state.statuses.commands.empty();
        model->read([&](const store::cluster_state& s) {
          for (auto& report : reports.reports) {
            if (!from_session_of(self, report.node_name))
              continue;
            const auto* current = s.find<pod>({report.namespace_, report.name});
            if (!current || current->metadata.uid != report.uid ||
                current->spec.node_name != report.node_name)
              continue;  // gone, an older pod of that name, or no longer this node's
            auto p = *current;
            p.status = std::move(report.status);
            p.metadata.resource_version.clear();
            self->state.statuses.commands.push_back(
                object_command{object_kind::pod,
                               {report.namespace_, report.name},
                               "system:node:" + report.node_name,
                               status_op{any_object(std::move(p))},
                               true});
          }
        });
        // Collected until the mailbox has been read through: many sessions' statuses then go
        // to the registry as one batch (one journal request), not one request each.
        if (was_empty && !self->state.statuses.commands.empty())
          self->send(self, statuses_tick_atom::value);
      },
      [=](statuses_tick_atom) {
        command_batch batch;
        batch.commands.swap(self->state.statuses.commands);
        if (!batch.commands.empty())
          self->send(links.pods, std::move(batch));
      },
      // The registry's answer to a batch sent fire-and-forget: a status that failed (the pod
      // went meanwhile) is superseded by the node's next report.
      [](std::vector<command_reply>&) {},
      [=](logs_atom, const log_request& request) -> caf::result<log_chunk> {
        auto sender = self->current_sender();
        if (!sender || sender->node() != self->node())
          return log_chunk{{}, 0, {refusal_reason::not_joined, "logs are read through the API"}};
        auto current = model->get(object_kind::pod, {request.namespace_, request.pod_name});
        if (!current)
          return log_chunk{{}, 0, {refusal_reason::no_such_pod, "no such pod"}};
        std::string node_name = std::get<pod>(*current).spec.node_name;
        auto it = self->state.node_session.find(node_name);
        auto session = it == self->state.node_session.end() ? self->state.sessions.end()
                                                            : self->state.sessions.find(it->second);
        if (session == self->state.sessions.end())
          return log_chunk{{}, 0, {refusal_reason::not_joined,
                                   "no node agent of " + node_name + " is connected"}};
        auto forwarded = request;
        forwarded.node_name = node_name;
        auto rp = self->make_response_promise<log_chunk>();
        self->request(session->second.handle, std::chrono::seconds(10), logs_atom::value,
                      std::move(forwarded))
            .then([=](log_chunk& chunk) mutable { rp.deliver(std::move(chunk)); },
                  [=](caf::error& e) mutable {
                    rp.deliver(log_chunk{{}, 0, {refusal_reason::not_joined,
                                                 "the node agent of " + node_name +
                                                     " did not answer: " + caf::to_string(e)}});
                  });
        return rp;
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

caf::actor spawn_node_gateway(caf::actor_system& system, const read_model& model,
                              node_gateway_links links, std::string node_ca_pem,
                              std::string service_cidr) {
  return system.spawn(node_gateway, &model, std::move(links), std::move(node_ca_pem),
                      std::move(service_cidr));
}

}  // namespace capstan::actors
