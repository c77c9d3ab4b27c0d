#include "nodeagent/node_agent.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include <caf/all.hpp>
#include <caf/openssl/manager.hpp>

#include "common/pki.hpp"
#include "nodeagent/exec_session.hpp"
#include "nodeagent/report_inbox.hpp"

namespace capstan::nodeagent {

namespace {

using namespace messages;

using connect_tick_atom = caf::atom_constant<caf::atom("reconnect")>;
using beat_atom = caf::atom_constant<caf::atom("beat")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

// The agent's own messages.
using agent_impl_actor = local_node_agent_actor::extend<
    // (Re)connect to the master and join the nodes not joined yet.
    caf::reacts_to<connect_tick_atom>,
    // Send the joined nodes' heartbeats (then again after the heartbeat period).
    caf::reacts_to<beat_atom>,
    // Send the statuses the runtimes reported since the last flush.
    caf::reacts_to<flush_atom>>;

struct node_slot {
  hosted_node hosted;
  bool joined = false;
  bool started = false;
  bool refused = false;            // for good
  bool silent = false;             // pretends to be dead (silence_atom)
  std::vector<node_pods> waiting;  // pods that arrived before the node's join result
};

struct agent_state {
  node_gateway_actor gateway;  // once joined
  std::chrono::milliseconds backoff{1000};
  // Which master the agent tries (0: master_host, i: other_masters[i - 1]), and how many it
  // failed to join since the last join (a whole round of them: back off).
  std::size_t master_index = 0;
  std::size_t failed_masters = 0;
  std::map<std::string, node_slot> nodes;
  // The newest status of each pod ("node/ns/name"), resent after a rejoin.
  std::map<std::string, pod_status_report> statuses;
  std::shared_ptr<report_inbox> inbox;
  // What the service proxy works from, by "ns/name".
  std::map<std::string, service> services;
  std::map<std::string, endpoints> endpoints_by_key;
  // The cluster DNS address (from the master's full proxy update): the node answers it itself,
  // so its proxy leaves the Service that holds it (kube-system/kube-dns) alone.
  std::string cluster_dns;
  // Commands running for `kubectl exec`, by stream (exec_session.hpp); each is monitored.
  std::map<uint64_t, exec_session_actor> execs;
  uint64_t next_exec = 0;
  static inline const char* name = "node-agent";
};

using agent_self = agent_impl_actor::stateful_pointer<agent_state>;

void schedule_reconnect(agent_self self) {
  auto wait = self->state.backoff;
  self->state.backoff = std::min(self->state.backoff * 2, std::chrono::milliseconds(10000));
  self->delayed_send(self, wait, connect_tick_atom::value);
}

// The master the agent tries now.
std::pair<std::string, uint16_t> current_master(agent_self self, const node_agent_config& config) {
  std::size_t i = self->state.master_index % (config.other_masters.size() + 1);
  return i == 0 ? std::make_pair(config.master_host, config.master_port)
                : config.other_masters[i - 1];
}

// The master tried could not take the nodes (unreachable, not leading, gone): the next one at
// once, or after the backoff once every master failed in a row.
void try_next_master(agent_self self, const node_agent_config& config) {
  const std::size_t count = config.other_masters.size() + 1;
  self->state.master_index = (self->state.master_index + 1) % count;
  if (++self->state.failed_masters < count) {
    self->delayed_send(self, std::chrono::milliseconds(200), connect_tick_atom::value);
    return;
  }
  self->state.failed_masters = 0;
  schedule_reconnect(self);
}

// Commands one agent runs at once for `kubectl exec` (each holds a runc process and a thread).
constexpr std::size_t max_exec_streams = 32;

// Where runc writes the PID of a stream's command (the session removes it at its end).
std::string exec_pid_file(uint64_t stream) {
  return "/run/capstan-exec-" + std::to_string(getpid()) + "-" + std::to_string(stream) + ".pid";
}

// Whether the current message comes from the master this agent joined.
bool from_master(agent_self self) {
  auto sender = self->current_sender();
  return sender && self->state.gateway && sender->node() == self->state.gateway->node();
}

std::string key_of(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

void apply_pods(agent_self self, node_slot& slot, node_pods& pods) {
  const std::string& node_name = slot.hosted.description.metadata.name;
  if (!pods.config_volumes.empty())
    slot.hosted.runtime->set_config_volumes(std::move(pods.config_volumes));
  if (!pods.pull_auths.empty())
    slot.hosted.runtime->set_pull_auths(std::move(pods.pull_auths));
  if (pods.full) {
    // Statuses of pods that are no longer wanted need not be resent.
    std::set<std::string> wanted;
    for (const auto& p : pods.pods)
      wanted.insert(node_name + "/" + key_of(p.metadata.namespace_, p.metadata.name));
    auto& statuses = self->state.statuses;
    for (auto it = statuses.lower_bound(node_name + "/");
         it != statuses.end() && it->first.compare(0, node_name.size() + 1, node_name + "/") == 0;)
      it = wanted.count(it->first) ? std::next(it) : statuses.erase(it);
    slot.hosted.runtime->sync(std::move(pods.pods));
    return;
  }
  for (const auto& gone : pods.gone) {
    self->state.statuses.erase(node_name + "/" + key_of(gone.namespace_, gone.name));
    slot.hosted.runtime->remove(gone.namespace_, gone.name, gone.uid);
  }
  for (auto& p : pods.pods)
    slot.hosted.runtime->upsert(std::move(p));
}

// A node was accepted: its runtime starts (once), pods that waited are applied.
void node_joined(agent_self self, const node_agent_config& config, node_slot& slot,
                 const node& stored, const pod_network_settings& pod_network) {
  slot.joined = true;
  if (config.dns)
    config.dns->set_pod_cidr(stored.spec.pod_cidr);
  if (config.pod_network)
    slot.hosted.runtime->set_pod_network(pod_network);
  if (!slot.started) {
    slot.started = true;
    auto inbox = self->state.inbox;
    std::string name = stored.metadata.name;
    slot.hosted.runtime->start(
        stored, [inbox, name](pod_report r) { inbox->push(name, std::move(r)); },
        [inbox, name](pod_event e) { inbox->push_event(name, std::move(e)); });
  }
  for (auto& waiting : slot.waiting)
    apply_pods(self, slot, waiting);
  slot.waiting.clear();
  if (config.on_joined)
    config.on_joined(stored);
}

void send_statuses(agent_self self, std::vector<pod_status_report> reports,
                   std::vector<pod_event_report> events = {}) {
  if ((reports.empty() && events.empty()) || !self->state.gateway)
    return;
  self->send(self->state.gateway, podstatus_atom::value,
             pod_status_reports{std::move(reports), std::move(events)});
}

// A node started with --pod-network that finds the cluster in another mode (a master that
// predates modes says nothing, which means routes) refuses to run: its nodes end as refused.
bool refuses_pod_network(agent_self self, const node_agent_config& config,
                         const join_results& results) {
  bool accepted = std::any_of(results.nodes.begin(), results.nodes.end(),
                              [](const join_result& r) { return r.accepted; });
  const std::string cluster =
      results.pod_network.mode.empty() ? std::string(pod_network_routes) : results.pod_network.mode;
  if (!accepted || config.pod_network_mode.empty() || cluster == config.pod_network_mode)
    return false;
  for (auto& [name, slot] : self->state.nodes) {
    slot.refused = true;
    if (config.on_refused)
      config.on_refused(name, {refusal_reason::wrong_pod_network,
                               "the master's pod network is " + cluster.substr(0, 32) +
                                   "; this node was started with --pod-network " +
                                   config.pod_network_mode});
  }
  self->quit(caf::exit_reason::normal);
  return true;
}

void join(agent_self self, const node_agent_config& config, node_gateway_actor gateway) {
  // Only the nodes still to join are proven (after a lost master: all of them).
  join_request request;
  for (const auto& [name, slot] : self->state.nodes)
    if (!slot.refused && !slot.joined)
      request.node_names.push_back(name);
  request.pod_network = config.pod_network;
  request.pod_network_mode = config.pod_network_mode;
  request.service_proxy = true;
  self->request(gateway, std::chrono::seconds(10), join_atom::value, std::move(request))
      .then(
          [=](join_challenge& challenge) {
            join_proofs proofs;
            for (auto& [name, slot] : self->state.nodes) {
              if (slot.refused || slot.joined)
                continue;
              auto described = slot.hosted.description;
              described.status.node_info.container_runtime_version = slot.hosted.runtime->version();
              std::string signature;
              try {
                signature =
                    common::sign(slot.hosted.key_pem, join_challenge_text(challenge.nonce, name));
              } catch (const std::exception& e) {
                std::fprintf(stderr, "capstan node: %s: cannot sign the join challenge: %s\n",
                             name.c_str(), e.what());
                continue;
              }
              proofs.nodes.push_back(
                  {slot.hosted.certificate_pem, std::move(signature), std::move(described)});
            }
            self->request(gateway, std::chrono::seconds(60), prove_atom::value, std::move(proofs))
                .then(
                    [=](join_results& results) {
                      if (refuses_pod_network(self, config, results))
                        return;
                      bool any = false, retry = false;
                      for (auto& r : results.nodes) {
                        auto slot = self->state.nodes.find(r.node_name);
                        if (slot == self->state.nodes.end())
                          continue;
                        if (r.accepted) {
                          any = true;
                          if (!self->state.gateway) {
                            self->state.gateway = gateway;
                            self->monitor(gateway);
                          }
                          node_joined(self, config, slot->second, r.stored, results.pod_network);
                        } else if (refusal_is_final(r.refused.reason)) {
                          slot->second.refused = true;
                          if (config.on_refused)
                            config.on_refused(r.node_name, r.refused);
                        } else {
                          retry = true;
                        }
                      }
                      if (any) {
                        self->state.backoff = std::chrono::milliseconds(1000);
                        self->state.failed_masters = 0;
                        std::vector<pod_status_report> resend;
                        for (const auto& [key, report] : self->state.statuses)
                          resend.push_back(report);
                        send_statuses(self, std::move(resend));
                      }
                      bool all_refused = true;
                      for (const auto& [name, slot] : self->state.nodes)
                        all_refused = all_refused && slot.refused;
                      if (all_refused) {
                        self->quit(caf::exit_reason::normal);
                        return;
                      }
                      if (retry && !any)
                        schedule_reconnect(self);
                      else if (retry)
                        self->delayed_send(self, std::chrono::seconds(1), connect_tick_atom::value);
                    },
                    [=](caf::error&) { try_next_master(self, config); });
          },
          [=](caf::error&) { try_next_master(self, config); });
}

// Applies a proxy_update to the agent's copy of services and endpoints.
void take_proxy_update(agent_state& st, proxy_update& update) {
  auto key = [](const auto& o) { return key_of(o.metadata.namespace_, o.metadata.name); };
  if (update.full) {
    st.services.clear();
    st.endpoints_by_key.clear();
  }
  for (const auto& r : update.removed_services)
    st.services.erase(key_of(r.namespace_, r.name));
  for (const auto& r : update.removed_endpoints)
    st.endpoints_by_key.erase(key_of(r.namespace_, r.name));
  for (auto& s : update.services)
    st.services[key(s)] = std::move(s);
  for (auto& e : update.endpoints_list)
    st.endpoints_by_key[key(e)] = std::move(e);
}

bool any_unjoined(agent_self self) {
  for (const auto& [name, slot] : self->state.nodes)
    if (!slot.joined && !slot.refused)
      return true;
  return false;
}

agent_impl_actor::behavior_type node_agent(agent_self self, node_agent_config config,
                                           std::shared_ptr<proxy::service_proxy> proxy) {
  self->state.inbox = std::make_shared<report_inbox>(
      [agent = caf::actor_cast<caf::weak_actor_ptr>(self)] {
        if (auto strong = caf::actor_cast<agent_impl_actor>(agent))
          caf::anon_send(strong, flush_atom::value);
      });
  for (auto& hosted : config.nodes) {
    std::string name = hosted.description.metadata.name;
    self->state.nodes[name].hosted = std::move(hosted);
  }
  config.nodes.clear();
  self->state.next_exec = std::random_device{}() | 1;  // a stream of an earlier agent is unknown
  self->set_down_handler([=](const caf::down_msg& down) {
    for (auto it = self->state.execs.begin(); it != self->state.execs.end(); ++it)
      if (it->second.address() == down.source) {
        self->state.execs.erase(it);
        return;
      }
    if (self->state.gateway && down.source == self->state.gateway.address()) {
      std::fprintf(stderr, "capstan node: lost the master; reconnecting\n");
      self->state.gateway = nullptr;
      for (auto& [name, slot] : self->state.nodes)
        slot.joined = false;
      // Its master may have stopped leading (or died): the round starts with the next one.
      self->state.failed_masters = 0;
      try_next_master(self, config);
    }
  });
  self->send(self, connect_tick_atom::value);
  self->send(self, beat_atom::value);
  return {
      [=](connect_tick_atom) {
        if (!any_unjoined(self))
          return;
        if (self->state.gateway) {
          join(self, config, self->state.gateway);  // some nodes still to join
          return;
        }
        if (config.local_gateway) {
          join(self, config, config.local_gateway);
          return;
        }
        auto mm = self->system().openssl_manager().actor_handle();
        auto [host, port] = current_master(self, config);
        self->request(mm, std::chrono::seconds(10), caf::connect_atom::value, host, port)
            .then(
                [=](const caf::node_id&, caf::strong_actor_ptr& remote,
                    const std::set<std::string>&) {
                  if (!remote) {
                    try_next_master(self, config);
                    return;
                  }
                  join(self, config, caf::actor_cast<node_gateway_actor>(remote));
                },
                [=, host = host, port = port](caf::error& e) {
                  std::fprintf(stderr, "capstan node: cannot reach the master at %s:%u: %s\n",
                               host.c_str(), port, self->system().render(e).c_str());
                  try_next_master(self, config);
                });
      },
      [=](beat_atom) {
        if (self->state.gateway) {
          node_heartbeats beats;
          for (const auto& [name, slot] : self->state.nodes)
            if (slot.joined && !slot.silent)
              beats.node_names.push_back(name);
          self->send(self->state.gateway, nodebeat_atom::value, std::move(beats));
        }
        self->delayed_send(self, config.heartbeat, beat_atom::value);
      },
      [=](flush_atom) {
        std::vector<pod_status_report> reports;
        for (auto& [key, report] : self->state.inbox->drain()) {
          auto slot = self->state.nodes.find(report.node_name);
          if (slot != self->state.nodes.end() && slot->second.silent)
            continue;
          self->state.statuses[key] = report;
          reports.push_back(std::move(report));
        }
        // Events are not resent after a rejoin: one lost with the master is lost (as a
        // Kubernetes event after its TTL); the next failure reports again.
        std::vector<pod_event_report> events;
        for (auto& e : self->state.inbox->drain_events()) {
          auto slot = self->state.nodes.find(e.node_name);
          if (slot == self->state.nodes.end() || !slot->second.silent)
            events.push_back(std::move(e));
        }
        send_statuses(self, std::move(reports), std::move(events));
      },
      [=](pods_atom, pod_assignments& assignments) {
        if (!from_master(self))
          return;
        for (auto& pods : assignments.nodes) {
          auto slot = self->state.nodes.find(pods.node_name);
          if (slot == self->state.nodes.end() || slot->second.silent)
            continue;
          if (!slot->second.joined) {
            if (pods.full)
              slot->second.waiting.clear();
            slot->second.waiting.push_back(std::move(pods));
            continue;
          }
          apply_pods(self, slot->second, pods);
        }
      },
      [=](proxy_atom, proxy_update& update) {
        if ((!proxy && !config.dns) || !from_master(self))
          return;
        if (proxy && !update.service_cidr.empty())
          proxy->set_service_cidr(update.service_cidr);
        if (update.full) {
          cluster_dns_settings dns{update.cluster_dns, update.cluster_domain.empty()
                                                           ? "cluster.local"
                                                           : update.cluster_domain};
          self->state.cluster_dns = dns.address;
          for (auto& [name, slot] : self->state.nodes)
            slot.hosted.runtime->set_cluster_dns(dns);
          if (config.dns)
            config.dns->set_cluster(dns.address, dns.domain);
        }
        take_proxy_update(self->state, update);
        std::vector<service> services;
        std::vector<endpoints> endpoints_list;
        for (const auto& [key, s] : self->state.services)
          services.push_back(s);
        for (const auto& [key, e] : self->state.endpoints_by_key)
          endpoints_list.push_back(e);
        if (config.dns)
          config.dns->update(services, endpoints_list);
        if (proxy) {
          const auto& dns_ip = self->state.cluster_dns;
          services.erase(std::remove_if(services.begin(), services.end(),
                                        [&](const service& s) {
                                          return !dns_ip.empty() && s.spec.cluster_ip == dns_ip;
                                        }),
                         services.end());
          proxy->update(std::move(services), std::move(endpoints_list));
        }
      },
      [=](nodes_atom, const node_routes& routes) {
        if (!from_master(self))
          return;
        for (auto& [name, slot] : self->state.nodes) {
          if (!slot.started)
            continue;
          std::vector<peer_node> peers;
          for (const auto& n : routes.nodes)
            if (n.name != name)
              peers.push_back({n.name, n.pod_cidr, n.address});
          slot.hosted.runtime->set_peers(std::move(peers));
        }
      },
      [=](silence_atom, const std::string& name) {
        auto sender = self->current_sender();
        auto slot = self->state.nodes.find(name);
        if (sender && sender->node() == self->node() && slot != self->state.nodes.end())
          slot->second.silent = true;
      },
      [=](exec_atom, const exec_request& request) -> exec_reply {
        exec_reply refused;
        if (!from_master(self)) {
          refused.refused = {refusal_reason::not_joined, "not this agent's master"};
          return refused;
        }
        auto slot = self->state.nodes.find(request.node_name);
        if (slot == self->state.nodes.end() || !slot->second.started) {
          refused.refused = {refusal_reason::not_joined, "node " + request.node_name + " is not here"};
          return refused;
        }
        if (self->state.execs.size() >= max_exec_streams) {
          refused.refused = {refusal_reason::too_large,
                             "node " + request.node_name + " runs " +
                                 std::to_string(max_exec_streams) +
                                 " commands already; try again when one has ended"};
          return refused;
        }
        auto& runtime = *slot->second.hosted.runtime;
        const bool forward = request.port > 0;
        auto target = forward ? runtime.port_target_of(request.namespace_, request.pod_name,
                                                       request.pod_uid)
                              : runtime.exec_target_of(request.namespace_, request.pod_name,
                                                       request.pod_uid, request.container);
        if (!target.error.empty() || (forward && request.port > 65535)) {
          refused.refused = {refusal_reason::no_such_pod,
                             target.error.empty() ? "invalid port" : target.error};
          return refused;
        }
        const uint64_t stream = self->state.next_exec++;
        exec_process::options options;
        options.argv = std::move(target.argv);
        if (forward) {
          // The port completes pod-connect's argv; its stdio is the connection.
          options.argv.push_back(std::to_string(request.port));
          options.stdin_ = true;
        } else {
          options.command = request.command;
          options.stdin_ = request.stdin_;
          options.tty = request.tty;
          options.tty_options = std::move(target.tty_options);
          options.pid_file = exec_pid_file(stream);
        }
        try {
          auto session = spawn_exec_session(self->system(), stream, std::move(options));
          self->monitor(session);
          self->state.execs.emplace(stream, session);
        } catch (const std::exception& e) {
          refused.refused = {refusal_reason::no_such_pod,
                             std::string("cannot run the command: ") + e.what()};
          return refused;
        }
        exec_reply started;
        started.stream = stream;
        return started;
      },
      [=](execio_atom, exec_io& io) -> caf::result<exec_reply> {
        exec_reply refused;
        if (!from_master(self)) {
          refused.refused = {refusal_reason::not_joined, "not this agent's master"};
          return refused;
        }
        auto it = self->state.execs.find(io.stream);
        if (it == self->state.execs.end()) {
          refused.refused = {refusal_reason::no_such_pod, "the command has ended"};
          return refused;
        }
        return self->delegate(it->second, execio_atom::value, std::move(io));
      },
      [=](logs_atom, const log_request& request) -> log_chunk {
        if (!from_master(self))
          return {{}, 0, {refusal_reason::not_joined, "not this agent's master"}};
        auto slot = self->state.nodes.find(request.node_name);
        if (slot == self->state.nodes.end() || !slot->second.started)
          return {
              {}, 0, {refusal_reason::not_joined, "node " + request.node_name + " is not here"}};
        auto chunk = slot->second.hosted.runtime->logs(request.namespace_, request.pod_name,
                                                       request.container, request.offset,
                                                       request.tail_lines);
        if (!chunk.error.empty())
          return {{}, 0, {refusal_reason::no_such_pod, chunk.error}};
        return {std::move(chunk.bytes), chunk.next_offset, {}};
      },
  };
}

}  // namespace

local_node_agent_actor spawn_node_agent(caf::actor_system& system, node_agent_config config,
                                        std::shared_ptr<proxy::service_proxy> proxy) {
  return system.spawn(node_agent, std::move(config), std::move(proxy));
}

}  // namespace capstan::nodeagent
