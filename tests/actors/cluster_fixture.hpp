// Test fixture: a master on a fresh data directory with simulated nodes, and helpers to wait
// for outcomes in the read model (event-driven waits with a deadline, never fixed sleeps).
#pragma once

#include <boost/test/unit_test.hpp>

#include "actors/master/master.hpp"
#include "messages/json_codec.hpp"
#include "messages/manifest.hpp"
#include "messages/node_interfaces.hpp"
#include "nodeagent/simulated_nodes.hpp"
#include "tests/store/records.hpp"

namespace capstan::test {

using namespace capstan::actors;
using namespace std::chrono_literals;

struct cluster {
  temp_dir dir;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system = std::make_unique<caf::actor_system>(cfg);
  std::unique_ptr<master> m;
  nodeagent::local_node_agent_actor nodes;  // the most recently added simulated nodes
  std::vector<nodeagent::local_node_agent_actor> node_groups;  // every group, stopped with it

  explicit cluster(int node_count = 3, master_config config = {},
                   nodeagent::simulated_nodes_config fake = {}) {
    start(std::move(config));
    if (node_count > 0) {
      fake.count = node_count;
      add_nodes(fake);
    }
  }
  ~cluster() { stop(); }

  void start(master_config config = {}) {
    config.data_dir = dir.str();
    m = std::make_unique<master>(*system, std::move(config));
  }
  void add_nodes(nodeagent::simulated_nodes_config fake) {
    fake.keys_dir = dir.str() + "/simulated-node-keys";  // the same nodes after a restart
    nodes = nodeagent::spawn_simulated_nodes(*system, m->node_gateway(), m->node_authority(), fake);
    node_groups.push_back(nodes);
    wait("nodes ready", [&](const store::cluster_state& s) {
      for (int i = 0; i < fake.count; ++i) {
        const auto* n =
            s.find<messages::node>({"", fake.prefix + std::to_string(fake.first_index + i)});
        bool ready = false;
        for (const auto& c : n ? n->status.conditions : std::vector<messages::node_condition>{})
          ready = ready || (c.type == "Ready" && c.status == "True");
        if (!ready)
          return false;
      }
      return true;
    });
  }
  void stop_nodes() {
    for (const auto& group : node_groups)
      caf::anon_send_exit(group, caf::exit_reason::user_shutdown);
    node_groups.clear();
    nodes = nullptr;
  }
  void stop() {
    stop_nodes();
    m.reset();
  }
  void restart(master_config config = {}) {
    stop();
    start(std::move(config));
  }

  void wait(const std::string& what, const std::function<bool(const store::cluster_state&)>& done,
            std::chrono::milliseconds timeout = 20s) {
    BOOST_REQUIRE_MESSAGE(m->model().wait_until(done, timeout), "timed out waiting for " << what);
  }

  // Creates every object of the project's examples/<path>; each must be accepted.
  void create_examples(const std::string& path) {
    auto set = messages::load_manifests(std::string(CAPSTAN_SOURCE_DIR) + "/examples/" + path);
    BOOST_REQUIRE(set.ok());
    for (auto& o : set.objects) {
      auto reply = m->create(o.object, "admin");
      BOOST_REQUIRE_MESSAGE(reply.ok(), reply.error->message);
    }
  }

  // Pods whose labels include name=<name>.
  static std::vector<messages::pod> pods_named(const store::cluster_state& s,
                                               const std::string& name) {
    std::vector<messages::pod> out;
    for (const auto& [k, o] : s.of(object_kind::pod)) {
      const auto& p = std::get<messages::pod>(o);
      auto it = p.metadata.labels.find("name");
      if (it != p.metadata.labels.end() && it->second == name)
        out.push_back(p);
    }
    return out;
  }
  static int running(const store::cluster_state& s, const std::string& name) {
    int n = 0;
    for (const auto& p : pods_named(s, name))
      n += p.status.phase == "Running" && p.metadata.deletion_timestamp.empty();
    return n;
  }
};

}  // namespace capstan::test
