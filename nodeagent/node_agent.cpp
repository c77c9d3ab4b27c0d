#include "nodeagent/node_agent.hpp"

#include <map>

#include <caf/io/all.hpp>

#include "actors/actors.hpp"
#include "messages/json_codec.hpp"
#include "common/join_proof.hpp"
#include "nodeagent/protocol.hpp"

namespace capstan::nodeagent {

namespace {

using namespace messages;
using namespace common;

using connect_tick_atom = caf::atom_constant<caf::atom("reconnect")>;
using beat_atom = caf::atom_constant<caf::atom("beat")>;
using report_atom = caf::atom_constant<caf::atom("report")>;

struct agent_state {
  caf::actor master;  // the gateway, once joined
  bool started = false;
  std::chrono::milliseconds backoff{1000};
  // The newest status of each pod ("ns/name" -> (uid, status JSON)), resent after a rejoin.
  std::map<std::string, std::pair<std::string, std::string>> statuses;
  // What the service proxy works from, by "ns/name".
  std::map<std::string, service> services;
  std::map<std::string, endpoints> endpoints_by_key;
  static inline const char* name = "node-agent";
};

using agent_actor = caf::stateful_actor<agent_state>;

std::optional<pod> pod_from(const std::string& text) {
  try {
    field_errors errors;
    auto o = object_from_json(json::parse(text), errors);
    if (o && std::holds_alternative<pod>(*o))
      return std::get<pod>(std::move(*o));
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void schedule_reconnect(agent_actor* self) {
  auto wait = self->state.backoff;
  self->state.backoff = std::min(self->state.backoff * 2, std::chrono::milliseconds(10000));
  self->delayed_send(self, wait, connect_tick_atom::value);
}

void send_status(agent_actor* self, const node_agent_config& config, const std::string& key) {
  const auto& [uid, status] = self->state.statuses.at(key);
  auto slash = key.find('/');
  self->send(self->state.master, status_atom::value, config.description.metadata.name,
             key.substr(0, slash), key.substr(slash + 1), uid, status);
}

void join(agent_actor* self, const node_agent_config& config,
          const std::shared_ptr<pod_runtime>& runtime, caf::actor gateway) {
  const std::string name = config.description.metadata.name;
  auto described = config.description;
  described.status.node_info.container_runtime_version = runtime->version();
  self->request(gateway, std::chrono::seconds(10), join_atom::value, name)
      .then(
          [=](std::string& nonce) {
            self->request(gateway, std::chrono::seconds(30), prove_atom::value, name,
                          join_proof(config.token, nonce, name), to_json(described).dump())
                .then(
                    [=](std::string& stored_json) {
                      field_errors errors;
                      auto stored = object_from_json(json::parse(stored_json), errors);
                      if (!stored || !std::holds_alternative<node>(*stored)) {
                        schedule_reconnect(self);
                        return;
                      }
                      self->state.master = gateway;
                      self->state.backoff = std::chrono::milliseconds(1000);
                      self->monitor(gateway);
                      if (!self->state.started) {
                        self->state.started = true;
                        caf::actor me = self;
                        runtime->start(std::get<node>(*stored), [me](pod_report r) {
                          caf::anon_send(me, report_atom::value, r.namespace_, r.name, r.uid,
                                         to_json_part(r.status).dump());
                        });
                      }
                      for (const auto& [key, status] : self->state.statuses)
                        send_status(self, config, key);
                      if (config.on_joined)
                        config.on_joined(std::get<node>(*stored));
                    },
                    [=](caf::error& e) {
                      std::string why = self->system().render(e);
                      const auto& context = e.context();
                      if (context.match_elements<std::string>())
                        why = context.get_as<std::string>(0);
                      if (why.rfind("refused", 0) == 0) {
                        if (config.on_refused)
                          config.on_refused(why);
                        self->quit(e);
                        return;
                      }
                      schedule_reconnect(self);
                    });
          },
          [=](caf::error&) { schedule_reconnect(self); });
}

template <class T>
std::optional<T> decode_as(const json& j) {
  try {
    field_errors errors;
    auto o = object_from_json(j, errors);
    if (o && std::holds_alternative<T>(*o))
      return std::get<T>(std::move(*o));
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Applies a (proxy_atom) payload to the agent's copy of services and endpoints.
bool take_proxy_state(agent_state& st, const std::string& text, std::string& service_cidr) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object())
    return false;
  auto key_of = [](const auto& o) { return o.metadata.namespace_ + "/" + o.metadata.name; };
  if (doc.value("full", false)) {
    service_cidr = doc.value("serviceCIDR", "");
    st.services.clear();
    st.endpoints_by_key.clear();
    for (const auto& j : doc["services"])
      if (auto s = decode_as<service>(j))
        st.services[key_of(*s)] = std::move(*s);
    for (const auto& j : doc["endpoints"])
      if (auto e = decode_as<endpoints>(j))
        st.endpoints_by_key[key_of(*e)] = std::move(*e);
    return true;
  }
  for (const auto& change : doc["changes"]) {
    std::string key = change.value("key", "");
    bool is_service = change.value("kind", "") == "Service";
    const auto& object = change["object"];
    if (object.is_null()) {
      if (is_service)
        st.services.erase(key);
      else
        st.endpoints_by_key.erase(key);
    } else if (is_service) {
      if (auto s = decode_as<service>(object))
        st.services[key] = std::move(*s);
    } else if (auto e = decode_as<endpoints>(object)) {
      st.endpoints_by_key[key] = std::move(*e);
    }
  }
  return true;
}

caf::behavior node_agent(agent_actor* self, node_agent_config config,
                         std::shared_ptr<pod_runtime> runtime,
                         std::shared_ptr<proxy::service_proxy> proxy) {
  self->set_down_handler([=](const caf::down_msg& down) {
    if (self->state.master && down.source == self->state.master.address()) {
      std::fprintf(stderr, "capstan node: lost the master; reconnecting\n");
      self->state.master = nullptr;
      schedule_reconnect(self);
    }
  });
  self->send(self, connect_tick_atom::value);
  self->send(self, beat_atom::value);
  return {
      [=](connect_tick_atom) {
        auto mm = self->system().middleman().actor_handle();
        self->request(mm, std::chrono::seconds(10), caf::connect_atom::value, config.master_host,
                      config.master_port)
            .then(
                [=](const caf::node_id&, caf::strong_actor_ptr& remote,
                    const std::set<std::string>&) {
                  if (!remote) {
                    schedule_reconnect(self);
                    return;
                  }
                  join(self, config, runtime, caf::actor_cast<caf::actor>(remote));
                },
                [=](caf::error&) { schedule_reconnect(self); });
      },
      [=](beat_atom) {
        if (self->state.master)
          self->send(self->state.master, actors::heartbeat_atom::value,
                     config.description.metadata.name);
        self->delayed_send(self, config.heartbeat, beat_atom::value);
      },
      [=](report_atom, const std::string& ns, const std::string& name, const std::string& uid,
          const std::string& status) {
        std::string key = ns + "/" + name;
        self->state.statuses[key] = {uid, status};
        if (self->state.master)
          send_status(self, config, key);
      },
      [=](pods_atom, const std::string& list) {
        std::vector<pod> desired;
        try {
          for (const auto& item : json::parse(list))
            if (auto p = pod_from(item.dump()))
              desired.push_back(std::move(*p));
        } catch (const std::exception&) {
          return;
        }
        // Statuses of pods that are no longer wanted need not be resent.
        std::set<std::string> wanted;
        for (const auto& p : desired)
          wanted.insert(p.metadata.namespace_ + "/" + p.metadata.name);
        for (auto it = self->state.statuses.begin(); it != self->state.statuses.end();)
          it = wanted.count(it->first) ? std::next(it) : self->state.statuses.erase(it);
        runtime->sync(std::move(desired));
      },
      [=](pod_atom, const std::string& text) {
        if (auto p = pod_from(text))
          runtime->upsert(std::move(*p));
      },
      [=](gone_atom, const std::string& ns, const std::string& name, const std::string& uid) {
        self->state.statuses.erase(ns + "/" + name);
        runtime->remove(ns, name, uid);
      },
      [=](proxy_atom, const std::string& text) {
        std::string cidr;
        if (!proxy || !take_proxy_state(self->state, text, cidr))
          return;
        if (!cidr.empty())
          proxy->set_service_cidr(cidr);
        std::vector<service> services;
        std::vector<endpoints> endpoints_list;
        for (const auto& [key, s] : self->state.services)
          services.push_back(s);
        for (const auto& [key, e] : self->state.endpoints_by_key)
          endpoints_list.push_back(e);
        proxy->update(std::move(services), std::move(endpoints_list));
      },
      [=](nodes_atom, const std::string& list) {
        std::vector<peer_node> peers;
        try {
          for (const auto& n : json::parse(list))
            if (n.value("name", "") != config.description.metadata.name)
              peers.push_back(
                  {n.value("name", ""), n.value("podCIDR", ""), n.value("address", "")});
        } catch (const std::exception&) {
          return;
        }
        runtime->set_peers(std::move(peers));
      },
      [=](logs_atom, const std::string& ns, const std::string& name, const std::string& container,
          uint64_t offset, uint64_t tail) -> caf::result<std::string, uint64_t> {
        auto chunk = runtime->logs(ns, name, container, offset, tail);
        if (!chunk.error.empty())
          return caf::make_error(caf::sec::invalid_argument, chunk.error);
        return caf::result<std::string, uint64_t>(std::move(chunk.bytes), chunk.next_offset);
      },
  };
}

}  // namespace

caf::actor spawn_node_agent(caf::actor_system& system, node_agent_config config,
                            std::shared_ptr<pod_runtime> runtime,
                            std::shared_ptr<proxy::service_proxy> proxy) {
  return system.spawn(node_agent, std::move(config), std::move(runtime), std::move(proxy));
}

}  // namespace capstan::nodeagent
