// Tests actors/master/master.cpp end to end: the seeds' guestbook runs on simulated nodes;
// RCs scale and heal; deletes cascade; conflicts, quotas and namespaces refuse; nodeSelector,
// eviction and restart behave as a Kubernetes user expects.
#include "tests/actors/cluster_fixture.hpp"

#include <set>

using namespace capstan;
using namespace capstan::test;
using messages::pod;

BOOST_AUTO_TEST_CASE(the_guestbook_runs_spread_over_the_nodes_with_services_and_endpoints) {
  cluster c;
  c.create_examples("guestbook");
  c.wait("guestbook pods running", [](const store::cluster_state& s) {
    return cluster::running(s, "redis-master") == 1 && cluster::running(s, "redis-slave") == 2 &&
           cluster::running(s, "frontend") == 3;
  });
  auto s = c.m->model().copy_state();
  std::set<std::string> frontend_nodes;
  for (const auto& p : cluster::pods_named(s, "frontend")) {
    BOOST_TEST(p.metadata.name.rfind("frontend-", 0) == 0);
    BOOST_TEST(p.metadata.name.size() == std::string("frontend-").size() + 5);
    frontend_nodes.insert(p.spec.node_name);
  }
  BOOST_TEST(frontend_nodes.size() == 3u);  // spread: one replica per node
  const auto* svc = s.find<messages::service>({"default", "frontend"});
  BOOST_REQUIRE(svc);
  BOOST_TEST(svc->spec.cluster_ip.rfind("10.254.", 0) == 0);
  BOOST_TEST(svc->spec.ports.at(0).node_port == 30001);
  c.wait("endpoints of frontend", [](const store::cluster_state& s) {
    auto* ep = s.find<messages::endpoints>({"default", "frontend"});
    return ep && ep->subsets.size() == 1 && ep->subsets[0].addresses.size() == 3 &&
           ep->subsets[0].ports.at(0).port == 80;
  });
  c.wait("rc status", [](const store::cluster_state& s) {
    auto* rc = s.find<messages::replication_controller>({"default", "frontend"});
    return rc && rc->status.replicas == 3 && rc->status.ready_replicas == 3;
  });
  // Derived Events: the scheduler's and the replication manager's.
  auto events = c.m->model().list(object_kind::event, "default");
  int scheduled = 0, created = 0;
  for (const auto& e : events.items) {
    const auto& ev = std::get<messages::event>(e);
    scheduled += ev.reason == "Scheduled";
    created +=
        ev.reason == "SuccessfulCreate" && ev.involved_object.kind == "ReplicationController";
  }
  BOOST_TEST(scheduled == 6);
  BOOST_TEST(created == 6);
}

BOOST_AUTO_TEST_CASE(rcs_scale_up_down_and_replace_deleted_pods) {
  cluster c;
  c.create_examples("guestbook/frontend-controller.yaml");
  c.wait("3 frontends",
         [](const store::cluster_state& s) { return cluster::running(s, "frontend") == 3; });
  auto scale = [&](int32_t n) {
    auto r = c.m->command({object_kind::replication_controller,
                           {"default", "frontend"},
                           "admin",
                           actors::scale_op{n, std::nullopt, ""}});
    BOOST_REQUIRE_MESSAGE(r.ok(), r.error->message);
  };
  scale(5);
  c.wait("5 frontends", [](const store::cluster_state& s) {
    return cluster::running(s, "frontend") == 5 && cluster::pods_named(s, "frontend").size() == 5;
  });
  scale(1);
  c.wait("1 frontend", [](const store::cluster_state& s) {
    return cluster::pods_named(s, "frontend").size() == 1;
  });
  auto victim = cluster::pods_named(c.m->model().copy_state(), "frontend").at(0).metadata.name;
  auto r = c.m->command({object_kind::pod, {"default", victim}, "admin", actors::delete_op{}});
  BOOST_REQUIRE(r.ok());
  c.wait("a replacement", [&](const store::cluster_state& s) {
    auto pods = cluster::pods_named(s, "frontend");
    return pods.size() == 1 && pods[0].metadata.name != victim && pods[0].status.phase == "Running";
  });
}

BOOST_AUTO_TEST_CASE(deleting_an_rc_deletes_its_pods) {
  cluster c;
  c.create_examples("guestbook/redis-slave-controller.yaml");
  c.wait("2 slaves",
         [](const store::cluster_state& s) { return cluster::running(s, "redis-slave") == 2; });
  auto r = c.m->command({object_kind::replication_controller,
                         {"default", "redis-slave"},
                         "admin",
                         actors::delete_op{}});
  BOOST_REQUIRE(r.ok());
  c.wait("no slaves", [](const store::cluster_state& s) {
    return cluster::pods_named(s, "redis-slave").empty();
  });
  BOOST_TEST(!c.m->model().get(object_kind::replication_controller, {"default", "redis-slave"}));
}

BOOST_AUTO_TEST_CASE(deleting_a_namespace_deletes_everything_in_it) {
  cluster c;
  messages::namespace_object web;
  web.metadata.name = "web";
  BOOST_REQUIRE(c.m->create(web, "admin").ok());
  auto set = messages::load_manifests(std::string(CAPSTAN_SOURCE_DIR) + "/examples/guestbook");
  BOOST_REQUIRE(set.ok());
  for (auto& o : set.objects) {
    meta_of(o.object).namespace_ = "web";
    BOOST_REQUIRE(c.m->create(o.object, "admin").ok());
  }
  c.wait("the guestbook in web", [](const store::cluster_state& s) {
    return cluster::running(s, "frontend") == 3 && !s.of(object_kind::endpoints).empty();
  });
  auto r = c.m->command({object_kind::namespace_, {"", "web"}, "admin", actors::delete_op{}});
  BOOST_REQUIRE(r.ok());
  c.wait("web emptied", [](const store::cluster_state& s) {
    for (auto kind : {object_kind::pod, object_kind::replication_controller, object_kind::service,
                      object_kind::endpoints})
      for (const auto& [key, o] : s.of(kind))
        if (key.namespace_ == "web")
          return false;
    return true;
  });
  auto later = c.m->create(set.objects.front().object, "admin");
  BOOST_TEST(!later.ok());  // the namespace is gone: nothing new lands there
}

BOOST_AUTO_TEST_CASE(a_stale_resource_version_is_a_conflict) {
  cluster c(0);
  c.create_examples("guestbook/redis-master-service.yaml");
  auto svc = *c.m->model().get(object_kind::service, {"default", "redis-master"});
  auto stale = svc;
  messages::meta_of(svc).labels["tier"] = "backend";
  auto first = c.m->command(
      {object_kind::service, {"default", "redis-master"}, "alice", actors::update_op{svc}});
  BOOST_REQUIRE_MESSAGE(first.ok(), first.error->message);
  messages::meta_of(stale).labels["tier"] = "cache";
  auto second = c.m->command(
      {object_kind::service, {"default", "redis-master"}, "bob", actors::update_op{stale}});
  BOOST_REQUIRE(!second.ok());
  BOOST_TEST(static_cast<int>(second.error->code) ==
             static_cast<int>(actors::error_code::conflict));
  auto now = *c.m->model().get(object_kind::service, {"default", "redis-master"});
  BOOST_TEST(messages::meta_of(now).labels.at("tier") == "backend");
}

BOOST_AUTO_TEST_CASE(quota_refuses_with_forbidden_and_appends_nothing) {
  cluster c(0);
  messages::namespace_object ns;
  ns.metadata.name = "limited";
  BOOST_REQUIRE(c.m->create(ns, "admin").ok());
  messages::resource_quota q;
  q.metadata.name = "compute";
  q.metadata.namespace_ = "limited";
  q.spec.hard["pods"] = messages::quantity::from_count(2);
  BOOST_REQUIRE(c.m->create(q, "admin").ok());
  // Pods that name their node skip the scheduler, so nothing else writes meanwhile.
  auto placed = [](const std::string& name) {
    auto p = small_pod(name, "limited");
    p.spec.node_name = "elsewhere";
    return p;
  };
  for (int i = 0; i < 2; ++i)
    BOOST_REQUIRE(c.m->create(placed("p" + std::to_string(i)), "admin").ok());
  uint64_t before = c.m->model().seq();
  auto refused = c.m->create(placed("p2"), "admin");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(static_cast<int>(refused.error->code) ==
             static_cast<int>(actors::error_code::forbidden));
  BOOST_TEST(refused.error->message.find("exceeded quota: compute") != std::string::npos);
  BOOST_TEST(c.m->model().seq() == before);
  auto missing_ns = c.m->create(small_pod("x", "nope"), "admin");
  BOOST_TEST(static_cast<int>(missing_ns.error->code) ==
             static_cast<int>(actors::error_code::not_found));
}

BOOST_AUTO_TEST_CASE(the_seed_node_selector_example_lands_on_the_zone_test_node) {
  cluster c(0);
  nodeagent::simulated_nodes_config plain;
  plain.count = 2;
  c.add_nodes(plain);
  nodeagent::simulated_nodes_config zoned;
  zoned.count = 1;
  zoned.first_index = 3;
  zoned.labels = {{"zone", "test"}};
  c.add_nodes(zoned);
  c.create_examples("ops/redis-master-nodeselector.yaml");
  c.wait("redis-master running",
         [](const store::cluster_state& s) { return cluster::running(s, "redis-master") == 1; });
  BOOST_TEST(cluster::pods_named(c.m->model().copy_state(), "redis-master").at(0).spec.node_name ==
             "node3");
}

BOOST_AUTO_TEST_CASE(unschedulable_pods_wait_with_a_reason_until_a_node_fits) {
  cluster c(1);
  auto big = small_pod("big");
  big.spec.containers[0].resources.requests["cpu"] = *messages::quantity::parse("16");
  BOOST_REQUIRE(c.m->create(big, "admin").ok());
  c.wait("FailedScheduling", [](const store::cluster_state& s) {
    auto* p = s.find<pod>({"default", "big"});
    for (const auto& cond : p->status.conditions)
      if (cond.type == "PodScheduled" && cond.status == "False")
        return cond.message.find("Insufficient cpu") != std::string::npos;
    return false;
  });
  nodeagent::simulated_nodes_config huge;
  huge.count = 1;
  huge.first_index = 9;
  huge.cpu_milli = 32000;
  c.add_nodes(huge);
  c.wait("big scheduled on node9", [](const store::cluster_state& s) {
    return s.find<pod>({"default", "big"})->spec.node_name == "node9";
  });
}

BOOST_AUTO_TEST_CASE(a_dead_node_goes_not_ready_its_pods_are_evicted_and_rescheduled) {
  master_config config;
  config.lifecycle.grace = 600ms;
  config.lifecycle.eviction = 600ms;
  config.lifecycle.period = 100ms;
  nodeagent::simulated_nodes_config fake;
  fake.heartbeat = 100ms;
  cluster c(3, config, fake);
  c.create_examples("guestbook/frontend-controller.yaml");
  c.wait("3 frontends",
         [](const store::cluster_state& s) { return cluster::running(s, "frontend") == 3; });
  caf::scoped_actor {
    *c.system
    } -> send(c.nodes, nodeagent::silence_atom::value, std::string("node1"));
  c.wait("node1 not ready", [](const store::cluster_state& s) {
    for (const auto& cond : s.find<messages::node>({"", "node1"})->status.conditions)
      if (cond.type == "Ready")
        return cond.status == "Unknown";
    return false;
  });
  c.wait("frontends only on node2 and node3", [](const store::cluster_state& s) {
    auto pods = cluster::pods_named(s, "frontend");
    if (pods.size() != 3)
      return false;
    for (const auto& p : pods)
      if (p.spec.node_name == "node1" || p.status.phase != "Running")
        return false;
    return true;
  });
}

BOOST_AUTO_TEST_CASE(node_ports_and_cluster_ips_are_never_handed_out_twice) {
  cluster c(0);
  c.create_examples("guestbook/frontend-service.yaml");
  auto again = *c.m->model().get(object_kind::service, {"default", "frontend"});
  auto& s = std::get<messages::service>(again);
  s.metadata = {};
  s.metadata.name = "frontend2";
  s.spec.cluster_ip.clear();
  auto r = c.m->create(again, "admin");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(static_cast<int>(r.error->code) == static_cast<int>(actors::error_code::invalid));
  BOOST_TEST(r.error->causes.at(0).to_string() ==
             "spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated");
  auto taken_ip =
      std::get<messages::service>(*c.m->model().get(object_kind::service, {"default", "frontend"}))
          .spec.cluster_ip;
  s.spec.ports[0].node_port = 0;
  s.spec.cluster_ip = taken_ip;
  auto r2 = c.m->create(again, "admin");
  BOOST_REQUIRE(!r2.ok());
  BOOST_TEST(r2.error->causes.at(0).field == "spec.clusterIP");
  // After a restart the allocations are rebuilt from the journal.
  c.restart();
  s.spec.cluster_ip.clear();
  s.spec.ports[0].node_port = 30001;
  BOOST_TEST(!c.m->create(again, "admin").ok());
}

namespace {

// Every guestbook RC has its replicas running and its status saying so, and each service's
// Endpoints list them: no controller has a write left to make (a master stopped before the
// endpoints controller caught up rightly writes the Endpoints after its restart).
bool guestbook_settled(const store::cluster_state& s) {
  for (const char* name : {"frontend", "redis-slave", "redis-master"}) {
    auto* rc = s.find<messages::replication_controller>({"default", name});
    if (!rc || !rc->spec.replicas || rc->status.ready_replicas != *rc->spec.replicas ||
        cluster::running(s, name) != *rc->spec.replicas)
      return false;
    auto* endpoints = s.find<messages::endpoints>({"default", name});
    if (!endpoints)
      return false;
    std::size_t addresses = 0;
    for (const auto& subset : endpoints->subsets)
      addresses += subset.addresses.size();
    if (addresses != static_cast<std::size_t>(*rc->spec.replicas))
      return false;
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_restarted_master_has_the_same_read_model_object_by_object) {
  cluster c;
  c.create_examples("guestbook");
  c.wait("guestbook running, every RC's status and Endpoints saying so", guestbook_settled);
  // The state the master had when it stopped, against the state a new master rebuilds.
  c.stop_nodes();
  c.m->stop();
  auto before = c.m->model().copy_state();
  c.restart();
  auto after = c.m->model().copy_state();
  BOOST_TEST(after.seq == before.seq);
  BOOST_TEST(after.size() == before.size());
  for (std::size_t k = 0; k < messages::object_kind_count; ++k) {
    for (const auto& [key, o] : before.tables[k]) {
      auto* found = after.find(static_cast<object_kind>(k), key);
      BOOST_REQUIRE_MESSAGE(found, "missing after restart: " << key.namespace_ << "/" << key.name);
      BOOST_TEST(messages::to_json(*found).dump() == messages::to_json(o).dump());
    }
  }
  BOOST_TEST(c.m->restored().snapshot_seq > 0u);
}

BOOST_AUTO_TEST_CASE(the_journal_actor_replays_history_then_follows_live) {
  cluster c(0);
  c.create_examples("guestbook/redis-master-service.yaml");
  const uint64_t existing = c.m->model().seq();
  caf::scoped_actor self{*c.system};
  self->send(c.m->journal(), actors::subscribe_atom::value, actors::sequence_number{1},
             caf::actor_cast<actors::batch_subscriber_actor>(self));
  std::vector<uint64_t> seen;
  auto collect = [&] {
    self->receive([&](actors::committed_atom, const actors::committed_batch& batch) {
      for (const auto& r : *batch)
        seen.push_back(r.seq);
    });
  };
  while (seen.size() < existing)
    collect();
  c.create_examples("guestbook/redis-slave-service.yaml");
  while (seen.size() < existing + 1)
    collect();
  BOOST_REQUIRE(seen.size() == existing + 1);
  for (std::size_t i = 0; i < seen.size(); ++i)
    BOOST_TEST(seen[i] == i + 1);
}

// Regression: the RC registry sent its cascade as a plain message, so the pod registry's answer
// came back as an unexpected message and later cascades were lost.
BOOST_AUTO_TEST_CASE(deleting_rcs_one_after_another_deletes_all_their_pods) {
  cluster c;
  c.create_examples("guestbook");
  c.wait("guestbook running", [](const store::cluster_state& s) {
    return cluster::running(s, "frontend") == 3 && cluster::running(s, "redis-slave") == 2 &&
           cluster::running(s, "redis-master") == 1;
  });
  for (const char* rc : {"frontend", "redis-master", "redis-slave"}) {
    auto r = c.m->command(
        {object_kind::replication_controller, {"default", rc}, "admin", actors::delete_op{}});
    BOOST_REQUIRE(r.ok());
  }
  c.wait("no pods left",
         [](const store::cluster_state& s) { return s.of(object_kind::pod).empty(); });
}

// Regression (found by the simulation, seed 6): the replication manager queued the deletes of
// pods whose RC is gone but never sent them, and asked itself for a turn forever.
BOOST_AUTO_TEST_CASE(a_pod_whose_controlling_rc_is_gone_is_garbage_collected) {
  cluster c(0);
  auto orphan = small_pod("orphan");
  orphan.spec.node_name = "elsewhere";  // no scheduler involved
  orphan.metadata.owner_references.push_back(
      {"v1", "ReplicationController", "gone", "uid-of-a-deleted-rc", true});
  BOOST_REQUIRE(c.m->create(orphan, "admin").ok());
  c.wait("the orphan deleted", [](const store::cluster_state& s) {
    return !s.find<messages::pod>({"default", "orphan"});
  });
}

namespace {

// The records appended to DATA/journal after `after`, as "Kind/name" (a secondary reader sees
// what the running master has committed).
std::vector<std::string> records_after(const cluster& c, uint64_t after) {
  auto log = store::event_log::open_reader(c.dir.str() + "/journal");
  std::vector<std::string> out;
  if (log->last_seq() > after)
    log->read(after + 1, log->last_seq(), [&](messages::journal_record&& r) {
      out.push_back(std::string(messages::info(r.kind).name) + "/" + r.name);
      return true;
    });
  return out;
}

messages::pod marker_pod(const std::string& name) {
  messages::pod p;
  p.metadata.name = name;
  p.metadata.namespace_ = "default";
  p.spec.containers.push_back({});
  p.spec.containers[0].name = "c";
  p.spec.containers[0].image = "busybox";
  return p;
}

bool unschedulable(const store::cluster_state& s, const std::string& name) {
  auto* p = s.find<messages::pod>({"default", name});
  if (!p)
    return false;
  for (const auto& c : p->status.conditions)
    if (c.type == "PodScheduled" && c.status == "False")
      return true;
  return false;
}

}  // namespace

// A restart re-evaluates everything; none of it is news. The marker pod created after each
// restart is queued behind every pending pod, so once it is reported unschedulable the
// scheduler has been through all of them.
BOOST_AUTO_TEST_CASE(restarting_with_10000_pending_pods_appends_nothing) {
  cluster c(0);
  messages::replication_controller rc;
  rc.metadata.name = "waiting";
  rc.metadata.namespace_ = "default";
  rc.spec.replicas = 10000;
  rc.spec.selector = {{"app", "waiting"}};
  rc.spec.template_.emplace();
  rc.spec.template_->metadata.labels = {{"app", "waiting"}};
  rc.spec.template_->spec = marker_pod("x").spec;
  BOOST_REQUIRE(c.m->create(rc, "admin").ok());
  c.wait(
      "10,000 pending pods reported unschedulable, and the RC's status",
      [](const store::cluster_state& s) {
        auto* r = s.find<messages::replication_controller>({"default", "waiting"});
        if (!r || r->status.replicas != 10000)
          return false;
        std::size_t reported = 0;
        for (const auto& [key, o] : s.of(object_kind::pod))
          reported += unschedulable(s, key.name);
        return reported == 10000;
      },
      120s);
  const uint64_t settled = c.m->model().seq();
  std::vector<std::string> expected;
  for (int round = 1; round <= 3; ++round) {
    c.restart();
    std::string marker = "marker-" + std::to_string(round);
    BOOST_REQUIRE(c.m->create(marker_pod(marker), "admin").ok());
    c.wait(
        "the marker reported",
        [&](const store::cluster_state& s) { return unschedulable(s, marker); }, 60s);
    expected.push_back("Pod/" + marker);  // created
    expected.push_back("Pod/" + marker);  // PodScheduled=False
    auto appended = records_after(c, settled);
    BOOST_TEST_REQUIRE(appended.size() == expected.size(), "round " << round);
    BOOST_TEST(appended == expected, boost::test_tools::per_element());
  }
}

// Simulated nodes that reconnect restate their status and their pods': nothing changed.
BOOST_AUTO_TEST_CASE(nodes_and_pods_restated_after_a_restart_append_nothing) {
  cluster c;
  c.create_examples("guestbook");
  c.wait("guestbook running, endpoints and RC statuses written", [](const store::cluster_state& s) {
    if (!guestbook_settled(s))
      return false;
    for (auto [name, count] :
         {std::pair{"frontend", 3u}, {"redis-slave", 2u}, {"redis-master", 1u}}) {
      auto* ep = s.find<messages::endpoints>({"default", name});
      if (!ep || ep->subsets.empty() || ep->subsets[0].addresses.size() != count)
        return false;
    }
    return true;
  });
  const uint64_t settled = c.m->model().seq();
  c.restart();
  nodeagent::simulated_nodes_config fake;
  fake.count = 3;
  c.add_nodes(fake);  // the same node1..3 join again and restate their pods
  // A marker bound to node1 through the same session: once it runs, node1's restated pods
  // (sent earlier on the same session) have been judged.
  auto marker = marker_pod("marker");
  marker.spec.node_name = "node1";
  BOOST_REQUIRE(c.m->create(marker, "admin").ok());
  c.wait("the marker running", [](const store::cluster_state& s) {
    auto* p = s.find<messages::pod>({"default", "marker"});
    return p && p->status.phase == "Running";
  });
  auto after = records_after(c, settled);
  std::string listed;
  for (const auto& r : after)
    listed += " " + r;
  BOOST_TEST(after == (std::vector<std::string>{"Pod/marker", "Pod/marker"}),
             "appended:" << listed);
}
