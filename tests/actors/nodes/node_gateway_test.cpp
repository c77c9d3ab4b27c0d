// Tests actors/nodes/node_gateway.cpp through the node protocol, in one process: nodes join
// only with a certificate of the master's node CA that names them and a signature over the
// challenge; a session speaks only for the nodes it proved; a second machine claiming a
// registered node's name is refused and the node keeps its pods; deleting the node frees the
// name; logs and commands are taken only from the master's own actors that no peer can pose as;
// every join is told the cluster's pod network, and a node asking for another mode is refused.
#include "tests/actors/cluster_fixture.hpp"

#include "actors/nodes/join_checks.hpp"
#include "nodeagent/fake_runtime.hpp"

using namespace capstan;
using namespace capstan::test;
using namespace capstan::messages;

namespace {

// A session driven by the test: joins with the given proofs and returns the results.
struct hand_session {
  caf::scoped_actor self;
  node_gateway_actor gateway;
  hand_session(caf::actor_system& system, const node_gateway_actor& g) : self(system), gateway(g) {}

  std::string pod_network_mode;  // what the session asks for at its join

  std::string challenge() {
    std::string nonce;
    self->request(gateway, 10s, join_atom::value,
                  join_request{{"x"}, true, false, pod_network_mode})
        .receive([&](join_challenge& c) { nonce = c.nonce; },
                 [&](caf::error& e) { BOOST_FAIL("no challenge: " << caf::to_string(e)); });
    return nonce;
  }
  join_results prove(const join_proofs& proofs) {
    join_results out;
    self->request(gateway, 30s, prove_atom::value, proofs)
        .receive([&](join_results& r) { out = std::move(r); },
                 [&](caf::error& e) { BOOST_FAIL("no join results: " << caf::to_string(e)); });
    return out;
  }
  // Joins `name` described as a simulated node, with `certificate` and `key`.
  join_results last;  // the whole answer to the last join
  join_result join(const std::string& name, const std::string& certificate, const std::string& key,
                   const std::string& sign_as = "") {
    auto nonce = challenge();
    nodeagent::simulated_nodes_config config;
    config.count = 1;
    auto described = nodeagent::describe_simulated_nodes(config).at(0);
    described.metadata.name = name;
    described.metadata.labels["kubernetes.io/hostname"] = name;
    auto signature =
        common::sign(key, join_challenge_text(nonce, sign_as.empty() ? name : sign_as));
    last = prove({{{certificate, signature, described}}});
    BOOST_REQUIRE(last.nodes.size() == 1u);
    return last.nodes[0];
  }
};

refusal_reason reason(const join_result& r) {
  return r.refused.reason;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_joins_only_with_a_certificate_of_the_node_ca_that_names_it) {
  cluster c(0);
  hand_session session(*c.system, c.m->node_gateway());
  auto [cert1, key1] = nodeagent::issue_node_credentials(c.m->node_authority(), "node1");
  // Another CA's certificate.
  auto stranger = common::certificate_authority::create("stranger", 1);
  auto [foreign_cert, foreign_key] = nodeagent::issue_node_credentials(stranger, "node1");
  auto foreign = session.join("node1", foreign_cert, foreign_key);
  BOOST_TEST(!foreign.accepted);
  BOOST_TEST(static_cast<int>(reason(foreign)) ==
             static_cast<int>(refusal_reason::bad_certificate));
  // node1's certificate cannot join node2.
  auto wrong = session.join("node2", cert1, key1);
  BOOST_TEST(!wrong.accepted);
  BOOST_TEST(static_cast<int>(reason(wrong)) == static_cast<int>(refusal_reason::wrong_node));
  BOOST_TEST(wrong.refused.message.find("system:node:node1") != std::string::npos);
  // Holding the certificate without its key: the signature does not verify.
  auto [other_cert, other_key] = nodeagent::issue_node_credentials(c.m->node_authority(), "node9");
  auto unsigned_join = session.join("node1", cert1, other_key);
  BOOST_TEST(static_cast<int>(reason(unsigned_join)) ==
             static_cast<int>(refusal_reason::bad_signature));
  // A signature over another challenge text (replayed for another node) fails too.
  auto replay = session.join("node1", cert1, key1, "node2");
  BOOST_TEST(static_cast<int>(reason(replay)) == static_cast<int>(refusal_reason::bad_signature));
  BOOST_TEST(!c.m->model().get(object_kind::node, {"", "node1"}));  // nothing registered
  // A prove without a pending challenge is refused.
  auto again = session.prove({{{cert1, common::sign(key1, "x"), {}}}});
  BOOST_TEST(static_cast<int>(again.nodes.at(0).refused.reason) ==
             static_cast<int>(refusal_reason::no_challenge));
  // The right proof registers node1, bound to its key.
  auto ok = session.join("node1", cert1, key1);
  BOOST_TEST(ok.accepted);
  BOOST_TEST(!ok.stored.spec.pod_cidr.empty());
  auto stored = c.m->model().get(object_kind::node, {"", "node1"});
  BOOST_REQUIRE(stored);
  BOOST_TEST(std::get<node>(*stored).metadata.annotations.at(actors::node_key_annotation) ==
             common::public_key_sha256(cert1));
}

BOOST_AUTO_TEST_CASE(joins_are_told_the_pod_network_and_a_node_asking_another_is_refused) {
  cluster c(0);  // the master's default: vxlan, VNI 1, port 8472
  auto [cert1, key1] = nodeagent::issue_node_credentials(c.m->node_authority(), "node1");
  hand_session routes(*c.system, c.m->node_gateway());
  routes.pod_network_mode = "routes";
  auto refused = routes.join("node1", cert1, key1);
  BOOST_TEST(!refused.accepted);
  BOOST_TEST(static_cast<int>(reason(refused)) ==
             static_cast<int>(refusal_reason::wrong_pod_network));
  BOOST_TEST(refusal_is_final(reason(refused)));
  BOOST_TEST(refused.refused.message.find("the cluster's pod network is vxlan") !=
             std::string::npos);
  BOOST_TEST(routes.last.pod_network.mode.empty());  // settings go to proven nodes only
  BOOST_TEST(!c.m->model().get(object_kind::node, {"", "node1"}));  // nothing registered

  // A mode that is neither is refused before any challenge.
  bool refused_join = false;
  routes.self
      ->request(routes.gateway, 10s, join_atom::value,
                join_request{{"node1"}, true, false, "vxlan\x1b[2J"})
      .receive([&](join_challenge&) {}, [&](caf::error&) { refused_join = true; });
  BOOST_TEST(refused_join);

  for (std::string mode : {"", "vxlan"}) {
    hand_session session(*c.system, c.m->node_gateway());
    session.pod_network_mode = mode;
    auto joined = session.join("node1", cert1, key1);
    BOOST_TEST(joined.accepted, "asking for \"" << mode << "\"");
    BOOST_TEST(session.last.pod_network.mode == "vxlan");
    BOOST_TEST(session.last.pod_network.vxlan_vni == 1u);
    BOOST_TEST(session.last.pod_network.vxlan_port == 8472u);
  }
}

BOOST_AUTO_TEST_CASE(
    a_second_machine_with_a_registered_name_is_refused_and_the_node_keeps_its_pods) {
  cluster c(2);  // node1 and node2, one simulated session
  c.create_examples("guestbook/frontend-controller.yaml");
  c.wait("3 frontends",
         [](const store::cluster_state& s) { return cluster::running(s, "frontend") == 3; });
  auto on_node1 = [](const store::cluster_state& s) {
    int n = 0;
    for (const auto& p : cluster::pods_named(s, "frontend"))
      n += p.spec.node_name == "node1";
    return n;
  };
  int before = on_node1(c.m->model().copy_state());
  BOOST_REQUIRE(before > 0);
  // An impostor obtains a certificate for node1 (it holds the token) with its own key.
  hand_session impostor(*c.system, c.m->node_gateway());
  auto [cert, key] = nodeagent::issue_node_credentials(c.m->node_authority(), "node1");
  auto refused = impostor.join("node1", cert, key);
  BOOST_TEST(!refused.accepted);
  BOOST_TEST(static_cast<int>(reason(refused)) == static_cast<int>(refusal_reason::identity_taken));
  BOOST_TEST(refused.refused.message.find("kubectl delete node node1") != std::string::npos);
  // The impostor's session cannot speak for node1: a status for one of node1's pods is ignored.
  auto s = c.m->model().copy_state();
  pod victim;
  for (const auto& p : cluster::pods_named(s, "frontend"))
    if (p.spec.node_name == "node1")
      victim = p;
  pod_status forged = victim.status;
  forged.phase = "Failed";
  impostor.self->send(impostor.gateway, podstatus_atom::value,
                      pod_status_reports{{{"node1", victim.metadata.namespace_,
                                           victim.metadata.name, victim.metadata.uid, forged}}});
  // A later write the real session makes is visible; the forged one never is.
  c.create_examples("guestbook/redis-master-controller.yaml");
  c.wait("redis-master running",
         [](const store::cluster_state& s) { return cluster::running(s, "redis-master") == 1; });
  auto after = c.m->model().copy_state();
  BOOST_TEST(after.find<pod>({victim.metadata.namespace_, victim.metadata.name})->status.phase ==
             "Running");
  BOOST_TEST(on_node1(after) == before);
  // Deleting the node frees the name: the new machine is then accepted.
  auto deleted = c.m->command(
      actors::object_command{object_kind::node, {"", "node1"}, "admin", actors::delete_op{}});
  BOOST_REQUIRE(deleted.ok());
  c.wait("node1 gone", [](const store::cluster_state& s) { return !s.find<node>({"", "node1"}); });
  auto accepted = impostor.join("node1", cert, key);
  BOOST_TEST(accepted.accepted);
}

BOOST_AUTO_TEST_CASE(a_certificate_for_node1_cannot_report_or_heartbeat_for_node2) {
  master_config config;
  config.lifecycle.grace = 800ms;
  config.lifecycle.period = 100ms;
  cluster c(0, config);
  nodeagent::simulated_nodes_config two;
  two.count = 1;
  two.first_index = 2;
  two.heartbeat = 100ms;
  c.add_nodes(two);  // node2, its own session
  hand_session session(*c.system, c.m->node_gateway());
  auto [cert1, key1] = nodeagent::issue_node_credentials(c.m->node_authority(), "node1");
  BOOST_REQUIRE(session.join("node1", cert1, key1).accepted);
  auto pod_on_node2 = small_pod("p2");
  pod_on_node2.spec.node_name = "node2";
  BOOST_REQUIRE(c.m->create(pod_on_node2, "admin").ok());
  c.wait("p2 running on node2", [](const store::cluster_state& s) {
    auto* p = s.find<pod>({"default", "p2"});
    return p && p->status.phase == "Running";
  });
  auto p2 = *c.m->model().copy_state().find<pod>({"default", "p2"});
  pod_status forged = p2.status;
  forged.phase = "Failed";
  // node1's session reports for node2's pod, naming node2 or naming itself.
  session.self->send(session.gateway, podstatus_atom::value,
                     pod_status_reports{{{"node2", "default", "p2", p2.metadata.uid, forged},
                                         {"node1", "default", "p2", p2.metadata.uid, forged}}});
  // node1's session heartbeats for node2 only; node2's own session goes silent.
  caf::scoped_actor {
    *c.system
    } -> send(c.nodes, nodeagent::silence_atom::value, std::string("node2"));
  for (int i = 0; i < 20; ++i) {
    session.self->send(session.gateway, messages::nodebeat_atom::value, node_heartbeats{{"node2"}});
    std::this_thread::sleep_for(100ms);  // the lifecycle's clock: beats must keep coming
  }
  c.wait("node2 not ready despite node1's heartbeats for it", [](const store::cluster_state& s) {
    for (const auto& cond : s.find<node>({"", "node2"})->status.conditions)
      if (cond.type == "Ready")
        return cond.status == "Unknown";
    return false;
  });
  BOOST_TEST(c.m->model().copy_state().find<pod>({"default", "p2"})->status.phase != "Failed");
}

// A peer of the join port can name, as the sender of a routed message, any local actor CAF 0.17
// keeps in its registry (those whose handles crossed to another process, the gateway itself
// first): such a sender must not start commands or read logs. The API's actors, never
// registered, may.
BOOST_AUTO_TEST_CASE(logs_and_commands_are_refused_from_senders_a_peer_could_forge) {
  cluster c(0);
  caf::scoped_actor api(*c.system);
  auto ask_exec = [&](caf::scoped_actor& who) {
    std::string refused;
    exec_request start;
    start.namespace_ = "default";
    start.pod_name = "nope";
    start.command = {"true"};
    who->request(c.m->node_gateway(), 10s, exec_atom::value, start)
        .receive([&](exec_reply& r) { refused = r.refused.message; },
                 [&](caf::error& e) { BOOST_FAIL("no answer: " << caf::to_string(e)); });
    return refused;
  };
  auto ask_logs = [&](caf::scoped_actor& who) {
    std::string refused;
    log_request request;
    request.namespace_ = "default";
    request.pod_name = "nope";
    who->request(c.m->node_gateway(), 10s, logs_atom::value, request)
        .receive([&](log_chunk& chunk) { refused = chunk.refused.message; },
                 [&](caf::error& e) { BOOST_FAIL("no answer: " << caf::to_string(e)); });
    return refused;
  };
  // An actor of the API: past the check (then: no such pod).
  BOOST_TEST(ask_exec(api) == "no such pod");
  BOOST_TEST(ask_logs(api) == "no such pod");
  // The same kind of actor once in the registry, as a forged routed sender would be found.
  caf::scoped_actor registered(*c.system);
  c.system->registry().put(registered->id(), caf::actor_cast<caf::strong_actor_ptr>(registered));
  BOOST_TEST(ask_exec(registered) == "commands are run through the API");
  BOOST_TEST(ask_logs(registered) == "logs are read through the API");
  c.system->registry().erase(registered->id());
}
