#include "actors/nodes/node_gateway.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "actors/nodes/pod_dispatcher.hpp"
#include "messages/json_codec.hpp"
#include "messages/json_input.hpp"
#include "common/join_proof.hpp"
#include "nodeagent/protocol.hpp"

namespace capstan::actors {

namespace {

using namespace messages;
using namespace nodeagent;
using namespace common;

struct gateway_state {
  std::string token;
  std::map<std::string, std::string> nonces;   // node -> the nonce it must prove
  std::map<std::string, caf::actor> sessions;  // node -> its agent, once proven
  // The (nodes_atom) payload: cached, rebuilt when a node record made it stale, sent to the
  // nodes with a pod network (not simulated ones) at their join and, debounced, on changes.
  std::string node_list;
  std::string broadcast_list;  // what the last broadcast sent (a joining node gets the current)
  bool node_list_stale = true;
  bool broadcast_due = false;
  std::set<std::string> routed;  // sessions whose pods need routes to the other nodes
  std::string service_cidr;      // for the nodes' proxies
  // Pod statuses received since the last flush: sent to the pod registry as one batch.
  command_batch statuses;
  static inline const char* name = "node-gateway";
};

using gateway_actor = caf::stateful_actor<gateway_state>;

// Whether the message came from `name`'s proven session.
bool from_session(gateway_actor* self, const std::string& name) {
  auto it = self->state.sessions.find(name);
  return it != self->state.sessions.end() &&
         caf::actor_cast<caf::actor>(self->current_sender()) == it->second;
}

std::string nodes_json(const read_model* model) {
  json list = json::array();
  model->read([&](const store::cluster_state& s) {
    for (const auto& [key, o] : s.of(object_kind::node)) {
      const auto& n = std::get<node>(o);
      std::string address;
      for (const auto& a : n.status.addresses)
        if (a.type == "InternalIP")
          address = a.address;
      list.push_back(
          {{"name", n.metadata.name}, {"podCIDR", n.spec.pod_cidr}, {"address", address}});
    }
  });
  return list.dump(-1, ' ', false, messages::json::error_handler_t::replace);
}

using peers_tick_atom = caf::atom_constant<caf::atom("peerstick")>;
using statuses_tick_atom = caf::atom_constant<caf::atom("statustick")>;

const std::string& current_node_list(gateway_actor* self, const read_model* model) {
  if (self->state.node_list_stale) {
    self->state.node_list = nodes_json(model);
    self->state.node_list_stale = false;
  }
  return self->state.node_list;
}

// A node record arrived: the list is rebuilt and sent at most every 200 ms, so that a burst of
// joins costs a few rebuilds rather than one full list per join to every node.
void node_list_changed(gateway_actor* self) {
  self->state.node_list_stale = true;
  if (!self->state.broadcast_due && !self->state.routed.empty()) {
    self->state.broadcast_due = true;
    self->delayed_send(self, std::chrono::milliseconds(200), peers_tick_atom::value);
  }
}

// Everything a node's proxy needs, at the model's current sequence.
std::string proxy_state(const read_model* model, const std::string& service_cidr) {
  json services = json::array(), endpoints_list = json::array();
  uint64_t seq = 0;
  model->read([&](const store::cluster_state& s) {
    seq = s.seq;
    for (const auto& [key, o] : s.of(object_kind::service))
      services.push_back(to_json(o));
    for (const auto& [key, o] : s.of(object_kind::endpoints))
      endpoints_list.push_back(to_json(o));
  });
  return json({{"seq", seq},
               {"serviceCIDR", service_cidr},
               {"full", true},
               {"services", services},
               {"endpoints", endpoints_list}})
      .dump(-1, ' ', false, messages::json::error_handler_t::replace);
}

// The services and endpoints a batch changed, as their state now (null: deleted).
void send_proxy_changes(gateway_actor* self, const read_model* model,
                        const committed_batch& batch) {
  json changes = json::array();
  std::set<std::pair<object_kind, object_key>> seen;
  for (const auto& r : *batch)
    if (r.kind == object_kind::service || r.kind == object_kind::endpoints)
      seen.insert({r.kind, {r.namespace_, r.name}});
  if (seen.empty() || self->state.sessions.empty())
    return;
  for (const auto& [kind, key] : seen) {
    auto now = model->get(kind, key);
    changes.push_back({{"kind", std::string(info(kind).name)},
                       {"key", key.namespace_ + "/" + key.name},
                       {"object", now ? to_json(*now) : json(nullptr)}});
  }
  std::string payload =
      json({{"seq", batch->back().seq}, {"full", false}, {"changes", changes}}).dump(-1, ' ', false, messages::json::error_handler_t::replace);
  for (const auto& [name, session] : self->state.sessions)
    self->send(session, proxy_atom::value, payload);
}

caf::behavior node_gateway(gateway_actor* self, const read_model* model, node_gateway_links links,
                           std::string token, std::string service_cidr) {
  // Pods go out through the dispatcher (linked: it stops with the gateway).
  auto dispatcher = spawn_pod_dispatcher(self->system(), *model);
  self->link_to(dispatcher);
  self->state.token = std::move(token);
  self->state.service_cidr = std::move(service_cidr);
  self->set_down_handler([=](const caf::down_msg& down) {
    for (auto it = self->state.sessions.begin(); it != self->state.sessions.end(); ++it)
      if (it->second.address() == down.source) {
        std::fprintf(stderr, "capstan master: node %s disconnected\n", it->first.c_str());
        self->send(dispatcher, session_atom::value, it->first);
        self->state.routed.erase(it->first);
        self->state.sessions.erase(it);
        break;
      }
  });
  return {
      [=](join_atom, const std::string& name) -> std::string {
        auto nonce = random_nonce();
        self->state.nonces[name] = nonce;
        return nonce;
      },
      [=](prove_atom, const std::string& name, const std::string& proof,
          const std::string& node_json) -> caf::result<std::string> {
        auto nonce = self->state.nonces.find(name);
        bool proven = nonce != self->state.nonces.end() &&
                      proofs_equal(proof, join_proof(self->state.token, nonce->second, name));
        if (nonce != self->state.nonces.end())
          self->state.nonces.erase(nonce);  // one attempt per nonce
        if (!proven) {
          std::fprintf(stderr, "capstan master: refused node %s: wrong join token\n", name.c_str());
          return caf::make_error(caf::sec::invalid_argument,
                                 "refused: the join token is wrong (see the master's node-token)");
        }
        field_errors errors;
        std::optional<any_object> decoded;
        auto parsed = parse_json_input(node_json);  // a node is outside input: bounded
        try {
          if (auto* tree = std::get_if<json>(&parsed))
            decoded = object_from_json(*tree, errors);
        } catch (const std::exception&) {
        }
        if (!decoded || !errors.empty() || !std::holds_alternative<node>(*decoded) ||
            meta_of(*decoded).name != name)
          return caf::make_error(caf::sec::invalid_argument,
                                 "refused: the node description is not a valid Node named " + name);
        auto session = caf::actor_cast<caf::actor>(self->current_sender());
        std::string cause = "system:node:" + name;
        auto rp = self->make_response_promise<std::string>();
        auto welcome = [=](const command_reply& reply) mutable {
          if (!reply.ok()) {
            rp.deliver(caf::make_error(caf::sec::invalid_argument,
                                       "the master refused the node: " + reply.error->message));
            return;
          }
          auto old = self->state.sessions.find(name);
          if (old != self->state.sessions.end() && old->second != session)
            self->demonitor(old->second);
          self->state.sessions[name] = session;
          self->monitor(session);
          std::fprintf(stderr, "capstan master: node %s joined\n", name.c_str());
          auto stored = model->get(object_kind::node, {"", name});
          rp.deliver(stored ? to_json(*stored).dump(-1, ' ', false, messages::json::error_handler_t::replace) : std::string("{}"));
          self->send(dispatcher, session_atom::value, name, session);
          self->send(session, proxy_atom::value, proxy_state(model, self->state.service_cidr));
          // Simulated nodes run no pod network: they need no routes.
          if (stored && std::get<node>(*stored).status.node_info.container_runtime_version.rfind(
                            "fake://", 0) != 0) {
            self->state.routed.insert(name);
            self->send(session, nodes_atom::value, current_node_list(self, model));
          }
          self->send(links.lifecycle, heartbeat_atom::value, name);
        };
        auto existing = model->get(object_kind::node, {"", name});
        if (!existing) {
          self->request(links.nodes, caf::infinite, create_command{std::move(*decoded), cause})
              .then(welcome, [=](const caf::error& e) mutable { rp.deliver(e); });
        } else {
          // A node that joins again keeps its spec (podCIDR); its status is what it says now.
          auto refreshed = *existing;
          std::get<node>(refreshed).status = std::get<node>(*decoded).status;
          self->request(links.nodes, caf::infinite,
                        object_command{
                            object_kind::node, {"", name}, cause, status_op{std::move(refreshed)}})
              .then(welcome, [=](const caf::error& e) mutable { rp.deliver(e); });
        }
        return rp;
      },
      [=](heartbeat_atom, const std::string& name) {
        if (from_session(self, name))
          self->send(links.lifecycle, heartbeat_atom::value, name);
      },
      [=](status_atom, const std::string& name, const std::string& ns, const std::string& pod_name,
          const std::string& uid, const std::string& status_json) {
        if (!from_session(self, name))
          return;
        auto current = model->get(object_kind::pod, {ns, pod_name});
        if (!current)
          return;
        auto p = std::get<pod>(std::move(*current));
        if (p.metadata.uid != uid || p.spec.node_name != name)
          return;  // an older pod of that name, or no longer this node's
        field_errors errors;
        auto parsed = parse_json_input(status_json);  // a node is outside input: bounded
        if (!std::holds_alternative<json>(parsed))
          return;
        try {
          p.status = part_from_json<pod_status>(std::get<json>(parsed), "status", errors);
        } catch (const std::exception&) {
          return;
        }
        if (!errors.empty())
          return;
        p.metadata.resource_version.clear();
        // Collected until the mailbox has been read through: many nodes' statuses then go to
        // the registry as one batch (one journal request), not one request each.
        if (self->state.statuses.commands.empty())
          self->send(self, statuses_tick_atom::value);
        self->state.statuses.commands.push_back(object_command{object_kind::pod,
                                                               {ns, pod_name},
                                                               "system:node:" + name,
                                                               status_op{std::move(p)},
                                                               true});
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
      [=](logs_atom, const std::string& ns, const std::string& pod_name,
          const std::string& container, uint64_t offset,
          uint64_t tail) -> caf::result<std::string, uint64_t> {
        auto current = model->get(object_kind::pod, {ns, pod_name});
        std::string node_name = current ? std::get<pod>(*current).spec.node_name : "";
        auto session = self->state.sessions.find(node_name);
        if (session == self->state.sessions.end())
          return caf::make_error(caf::sec::invalid_argument,
                                 "no node agent of " + node_name + " is connected");
        auto rp = self->make_response_promise<std::string, uint64_t>();
        self->request(session->second, std::chrono::seconds(10), logs_atom::value, ns, pod_name,
                      container, offset, tail)
            .then([=](std::string& bytes, uint64_t next) mutable { rp.deliver(bytes, next); },
                  [=](caf::error& e) mutable { rp.deliver(e); });
        return rp;
      },
      [=](committed_atom, const committed_batch& batch) {
        bool nodes_changed = false;
        self->send(dispatcher, committed_atom::value, batch);
        for (const auto& r : *batch)
          if (r.kind == object_kind::node)
            nodes_changed = true;
        if (nodes_changed)
          node_list_changed(self);
        send_proxy_changes(self, model, batch);
      },
      [=](peers_tick_atom) {
        self->state.broadcast_due = false;
        const auto& now = current_node_list(self, model);
        if (now == self->state.broadcast_list)
          return;
        self->state.broadcast_list = now;
        for (const auto& name : self->state.routed) {
          auto session = self->state.sessions.find(name);
          if (session != self->state.sessions.end())
            self->send(session->second, nodes_atom::value, now);
        }
      },
  };
}

}  // namespace

caf::actor spawn_node_gateway(caf::actor_system& system, const read_model& model,
                              node_gateway_links links, std::string join_token,
                              std::string service_cidr) {
  return system.spawn(node_gateway, &model, std::move(links), std::move(join_token),
                      std::move(service_cidr));
}

}  // namespace capstan::actors
