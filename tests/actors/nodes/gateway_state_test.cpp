// Tests actors/nodes/gateway_state.cpp: the node gateway's bookkeeping without certificates or
// a running gateway -- one session per agent actor, one prove per challenge, a bounded number
// of unproven sessions, a node held by exactly one session (a second session of the same key
// takes it over; the old session's end then leaves it alone), nothing left behind when
// sessions and nodes go (no growth with churn), and the pod statuses a session may report.
#include <boost/test/unit_test.hpp>

#include "actors/nodes/gateway_state.hpp"
#include "store/apply.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;
using messages::join_request;
using messages::node_agent_actor;

namespace {

// Agent actors that only lend their addresses and handles to the bookkeeping.
struct agents {
  deterministic_system sys;
  std::map<caf::actor_addr, caf::actor> spawned;

  caf::actor_addr make() {
    auto a = sys.keep(sys.system->spawn([] { return caf::behavior{[](int) {}}; }));
    spawned.emplace(a.address(), a);
    return a.address();
  }
  node_agent_actor handle(const caf::actor_addr& addr) const {
    return caf::actor_cast<node_agent_actor>(spawned.at(addr));
  }
};

// Opens the session of `addr` with challenge `nonce`; fails the test when refused.
gateway_session& open(gateway_state& g, agents& a, const caf::actor_addr& addr,
                      const std::string& nonce = "n", bool pod_network = false,
                      bool remote = false) {
  bool opened = false;
  auto* s =
      g.join(addr, a.handle(addr), remote, join_request{{}, pod_network, false}, nonce, opened);
  BOOST_REQUIRE(s);
  return *s;
}

std::vector<std::string> names(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

messages::pod pod_on(const std::string& name, const std::string& node) {
  auto p = small_pod(name);
  p.spec.node_name = node;
  return p;
}

messages::pod_status_report report(const std::string& node, const std::string& pod,
                                   const std::string& uid, const std::string& phase) {
  messages::pod_status status;
  status.phase = phase;
  return {node, "default", pod, uid, status};
}

}  // namespace

// Guards against a second join of the same actor opening a second session (and a second
// monitor), and against an old challenge staying valid after a new one was handed out.
BOOST_AUTO_TEST_CASE(a_second_join_of_an_actor_renews_its_challenge_in_the_same_session) {
  agents a;
  gateway_state g;
  auto one = a.make();
  bool opened = false;
  auto* s = g.join(one, a.handle(one), false, join_request{{}, false, true}, "first", opened);
  BOOST_REQUIRE(s);
  BOOST_TEST(opened);
  BOOST_TEST(s->service_proxy);
  s = g.join(one, a.handle(one), false, join_request{{}, true, false}, "second", opened);
  BOOST_REQUIRE(s);
  BOOST_TEST(!opened);  // the actor is monitored once
  BOOST_TEST(g.sessions.size() == 1u);
  BOOST_TEST(s->pod_network);  // what the latest request asked for
  BOOST_TEST(!s->service_proxy);
  BOOST_TEST(g.take_challenge(one).value_or("") == "second");
}

// Guards against a replayed prove: a challenge answers one prove, and an actor that never
// asked has none.
BOOST_AUTO_TEST_CASE(a_challenge_is_good_for_one_prove_only) {
  agents a;
  gateway_state g;
  auto one = a.make(), stranger = a.make();
  open(g, a, one, "nonce-1");
  BOOST_TEST(g.take_challenge(one).value_or("") == "nonce-1");
  BOOST_TEST(!g.take_challenge(one));
  BOOST_TEST(!g.take_challenge(stranger));
  BOOST_TEST(g.sessions.count(stranger) == 0u);  // asking opened nothing
}

// Guards against unbounded memory from peers that join and never prove: the bound counts
// unproven sessions, proven nodes raise it, and an ended session frees its room.
BOOST_AUTO_TEST_CASE(unproven_sessions_are_bounded_and_proven_nodes_raise_the_bound) {
  agents a;
  gateway_state g;
  g.max_unproven_sessions = 2;
  auto s1 = a.make(), s2 = a.make(), s3 = a.make();
  open(g, a, s1);
  open(g, a, s2);
  bool opened = true;
  BOOST_TEST(!g.join(s3, a.handle(s3), false, {}, "n", opened));
  BOOST_TEST(!opened);
  BOOST_TEST(g.sessions.size() == 2u);  // the refused one is not held
  // An existing session may still ask again at the bound.
  BOOST_TEST(g.join(s1, a.handle(s1), false, {}, "again", opened));
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  BOOST_TEST(g.join(s3, a.handle(s3), false, {}, "n", opened));
  BOOST_TEST(opened);
  auto s4 = a.make();
  BOOST_TEST(!g.join(s4, a.handle(s4), false, {}, "n", opened));
  BOOST_REQUIRE(g.end_session(s2));
  BOOST_TEST(g.join(s4, a.handle(s4), false, {}, "n", opened));
}

// Guards against one session reporting or heartbeating for a node another session proved,
// or for a node nobody proved.
BOOST_AUTO_TEST_CASE(a_session_speaks_only_for_the_nodes_it_proved) {
  agents a;
  gateway_state g;
  auto s1 = a.make(), s2 = a.make();
  open(g, a, s1);
  open(g, a, s2);
  auto accepted = g.accept(s1, names({"node1", "node2"}));
  BOOST_REQUIRE(accepted);
  BOOST_TEST(accepted->first);
  BOOST_TEST(accepted->dropped.empty());
  BOOST_TEST(accepted->session == &g.sessions.at(s1));
  BOOST_TEST(g.speaks_for(s1, "node1"));
  BOOST_TEST(g.speaks_for(s1, "node2"));
  BOOST_TEST(!g.speaks_for(s2, "node1"));
  BOOST_TEST(!g.speaks_for(s1, "node3"));
  BOOST_TEST(g.session_of("node2") == &g.sessions.at(s1));
  BOOST_TEST(!g.session_of("node3"));
}

// Guards the reconnect of a machine (same key, new agent actor) before the old connection's
// down message arrives: the node moves to the new session, the dispatcher is told to drop it
// from the old one, and the old session's end must then not disconnect the node.
BOOST_AUTO_TEST_CASE(a_node_proven_again_by_a_new_session_moves_and_the_old_end_leaves_it) {
  agents a;
  gateway_state g;
  auto old_session = a.make(), new_session = a.make();
  open(g, a, old_session);
  BOOST_REQUIRE(g.accept(old_session, names({"node1", "node2"})));
  open(g, a, new_session);
  auto moved = g.accept(new_session, names({"node1"}));
  BOOST_REQUIRE(moved);
  BOOST_TEST(moved->first);
  BOOST_TEST(moved->dropped == names({"node1"}));
  BOOST_TEST(g.speaks_for(new_session, "node1"));
  BOOST_TEST(!g.speaks_for(old_session, "node1"));
  BOOST_TEST(g.sessions.at(old_session).nodes == std::set<std::string>{"node2"});
  auto ended = g.end_session(old_session);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->dropped == names({"node2"}));  // not node1: it is the new session's
  BOOST_TEST(g.speaks_for(new_session, "node1"));
  BOOST_TEST(g.node_session.size() == 1u);
  BOOST_TEST(g.sessions.size() == 1u);
}

// Guards against a session's nodes being counted twice when it proves a node it already
// holds: it stays held once, and the session's proxy is not sent the full set again.
BOOST_AUTO_TEST_CASE(a_session_proving_its_own_node_again_keeps_it_once) {
  agents a;
  gateway_state g;
  auto s1 = a.make();
  open(g, a, s1);
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  auto again = g.accept(s1, names({"node1", "node2"}));
  BOOST_REQUIRE(again);
  BOOST_TEST(!again->first);
  BOOST_TEST(again->dropped == names({"node1"}));  // the dispatcher re-adds it right after
  BOOST_TEST(g.sessions.at(s1).nodes == (std::set<std::string>{"node1", "node2"}));
  BOOST_TEST(g.node_session.size() == 2u);
}

// Guards against a registration that completes after its session went down (the agent
// disconnected while the registry answered) leaving a node bound to a session that no
// longer exists: its heartbeats and pods would go nowhere, and the map would leak.
BOOST_AUTO_TEST_CASE(an_accept_after_the_session_ended_changes_nothing) {
  agents a;
  gateway_state g;
  auto s1 = a.make();
  open(g, a, s1);
  BOOST_REQUIRE(g.end_session(s1));
  BOOST_TEST(!g.accept(s1, names({"node1"})));
  BOOST_TEST(g.node_session.empty());
  BOOST_TEST(g.sessions.empty());
  BOOST_TEST(!g.end_session(s1));  // a second down message is harmless
}

// Guards against a node deleted through the API staying bound to its session (its name must
// be free to register, and the session no longer gets routes for it).
BOOST_AUTO_TEST_CASE(a_deleted_node_leaves_its_session_and_only_held_names_are_dropped) {
  agents a;
  gateway_state g;
  auto s1 = a.make();
  open(g, a, s1, "n", true);
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  BOOST_TEST(g.routes_wanted());
  BOOST_TEST(g.drop_nodes(names({"node1", "never-joined"})) == names({"node1"}));
  BOOST_TEST(g.node_session.empty());
  BOOST_TEST(g.sessions.at(s1).nodes.empty());
  BOOST_TEST(!g.routes_wanted());  // no node left to route for
  BOOST_TEST(g.drop_nodes(names({"node1"})).empty());
  auto ended = g.end_session(s1);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->dropped.empty());
}

// Guards against two concurrent registrations of one name (two proofs in one message, or
// two sessions at once) racing in the node registry, and against a finished registration
// blocking the name forever.
BOOST_AUTO_TEST_CASE(one_registration_per_node_at_a_time) {
  gateway_state g;
  BOOST_TEST(g.begin_registration("node1"));
  BOOST_TEST(!g.begin_registration("node1"));
  BOOST_TEST(g.begin_registration("node2"));
  g.end_registration("node1");
  BOOST_TEST(g.begin_registration("node1"));
  g.end_registration("node1");
  g.end_registration("node2");
  BOOST_TEST(g.registering.empty());
}

// Guards the join port guard's bookkeeping: only remote sessions have a TCP peer to admit,
// once; a session that ended meanwhile admits nothing; its end hands the peer back to forget.
BOOST_AUTO_TEST_CASE(a_remote_sessions_peer_is_recorded_once_and_returned_at_its_end) {
  agents a;
  gateway_state g;
  auto local = a.make(), remote = a.make(), gone = a.make();
  open(g, a, local);
  open(g, a, remote, "n", false, true);
  BOOST_TEST(!g.needs_peer(local));
  BOOST_TEST(g.needs_peer(remote));
  BOOST_TEST(!g.set_peer(remote, "10.0.0.9", 0));  // no port: nothing to admit
  BOOST_TEST(g.needs_peer(remote));
  BOOST_TEST(g.set_peer(remote, "10.0.0.9", 41000));
  BOOST_TEST(!g.needs_peer(remote));
  BOOST_TEST(!g.set_peer(gone, "10.0.0.8", 41001));
  BOOST_TEST(g.sessions.count(gone) == 0u);
  auto ended = g.end_session(remote);
  BOOST_REQUIRE(ended);
  BOOST_TEST(ended->peer_address == "10.0.0.9");
  BOOST_TEST(ended->peer_port == 41000);
  auto local_end = g.end_session(local);
  BOOST_REQUIRE(local_end);
  BOOST_TEST(local_end->peer_port == 0);  // nothing for the guard to forget
}

// Guards against the gateway's maps growing with churn: a thousand agents join, prove,
// reconnect under a new actor and disconnect; afterwards nothing of them is held.
BOOST_AUTO_TEST_CASE(churn_of_sessions_leaves_nothing_behind) {
  agents a;
  gateway_state g;
  g.max_unproven_sessions = 8;  // churn must also keep unproven sessions under the bound
  std::size_t dropped = 0;
  for (int round = 0; round < 1000; ++round) {
    auto name = "node" + std::to_string(round % 50);
    auto first = a.make(), second = a.make(), idle = a.make();
    open(g, a, first);
    open(g, a, idle);  // asks, never proves
    BOOST_REQUIRE(g.begin_registration(name));
    g.end_registration(name);
    BOOST_REQUIRE(g.accept(first, {name}));
    open(g, a, second);  // the machine reconnects before its old connection is noticed
    BOOST_REQUIRE(g.accept(second, {name}));
    for (const auto& addr : {idle, first, second}) {
      auto ended = g.end_session(addr);
      BOOST_REQUIRE(ended);
      dropped += ended->dropped.size();
    }
  }
  BOOST_TEST(dropped == 1000u);  // each node disconnected once, by its last session
  BOOST_TEST(g.sessions.empty());
  BOOST_TEST(g.node_session.empty());
  BOOST_TEST(g.registering.empty());
}

// Guards against a session changing pods it does not run: only its own nodes' reports, for
// the pod that is bound there now (not an older pod of the same name), become commands, as
// the node ("system:node:NAME") and without a resourceVersion precondition.
BOOST_AUTO_TEST_CASE(only_a_sessions_own_nodes_current_pods_get_their_statuses_queued) {
  agents a;
  gateway_state g;
  auto s1 = a.make(), s2 = a.make();
  open(g, a, s1);
  open(g, a, s2);
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  BOOST_REQUIRE(g.accept(s2, names({"node2"})));
  auto state =
      state_with({pod_on("mine", "node1"), pod_on("theirs", "node2"), small_pod("unbound")});
  messages::pod_status_reports reports{{
      report("node1", "mine", "uid-mine", "Running"),
      report("node2", "theirs", "uid-theirs", "Failed"),     // another session's node
      report("node1", "theirs", "uid-theirs", "Failed"),     // names itself, not bound there
      report("node1", "mine", "uid-older", "Failed"),        // an older pod of that name
      report("node1", "unbound", "uid-unbound", "Running"),  // not bound to node1
      report("node1", "gone", "uid-gone", "Running"),        // no such pod
  }};
  BOOST_TEST(g.collect_statuses(s1, state, reports));
  BOOST_REQUIRE(g.statuses.commands.size() == 1u);
  const auto& c = g.statuses.commands[0];
  BOOST_TEST((c.kind == messages::object_kind::pod));
  BOOST_TEST(c.target.namespace_ == "default");
  BOOST_TEST(c.target.name == "mine");
  BOOST_TEST(c.cause == "system:node:node1");
  BOOST_TEST(c.outcome_only);
  const auto& op = std::get<status_op>(c.op);
  const auto& p = std::get<messages::pod>(op.object);
  BOOST_TEST(p.status.phase == "Running");
  BOOST_TEST(p.metadata.resource_version.empty());
  BOOST_TEST(p.spec.node_name == "node1");
  // A second message while the queue is not empty does not schedule a second flush.
  messages::pod_status_reports more{{report("node2", "theirs", "uid-theirs", "Running")}};
  BOOST_TEST(!g.collect_statuses(s2, state, more));
  BOOST_TEST(g.statuses.commands.size() == 2u);
  auto batch = g.take_statuses();
  BOOST_TEST(batch.commands.size() == 2u);
  BOOST_TEST(g.statuses.commands.empty());
  // Nothing accepted: no flush.
  messages::pod_status_reports forged{{report("node2", "theirs", "uid-theirs", "Failed")}};
  BOOST_TEST(!g.collect_statuses(s1, state, forged));
  BOOST_TEST(g.statuses.commands.empty());
}

// Guards the routes payload (every node's podCIDR and InternalIP, whatever other addresses it
// has) and the comparison that keeps an unchanged list from being broadcast again.
BOOST_AUTO_TEST_CASE(routes_name_each_nodes_pod_cidr_and_internal_ip) {
  auto n1 = small_node("node1");
  n1.spec.pod_cidr = "10.244.1.0/24";
  n1.status.addresses = {{"Hostname", "node1"}, {"InternalIP", "192.168.0.11"}};
  auto n2 = small_node("node2");
  n2.spec.pod_cidr = "10.244.2.0/24";
  auto routes = routes_of(state_with({n2, n1}));
  BOOST_REQUIRE(routes.nodes.size() == 2u);
  BOOST_TEST(routes.nodes[0].name == "node1");
  BOOST_TEST(routes.nodes[0].pod_cidr == "10.244.1.0/24");
  BOOST_TEST(routes.nodes[0].address == "192.168.0.11");
  BOOST_TEST(routes.nodes[1].name == "node2");
  BOOST_TEST(routes.nodes[1].address == "");
  auto same = routes.nodes;
  BOOST_TEST(same_routes(routes.nodes, same));
  same[1].address = "192.168.0.12";
  BOOST_TEST(!same_routes(routes.nodes, same));
  same = routes.nodes;
  same[0].pod_cidr = "10.244.9.0/24";
  BOOST_TEST(!same_routes(routes.nodes, same));
  same.pop_back();
  BOOST_TEST(!same_routes(routes.nodes, same));
}

// Guards against routes going out to sessions that asked for none or hold no node.
BOOST_AUTO_TEST_CASE(routes_are_wanted_only_by_sessions_with_a_pod_network_and_nodes) {
  agents a;
  gateway_state g;
  auto plain = a.make(), network = a.make();
  open(g, a, plain, "n", false);
  BOOST_REQUIRE(g.accept(plain, names({"node1"})));
  BOOST_TEST(!g.routes_wanted());
  open(g, a, network, "n", true);
  BOOST_TEST(!g.routes_wanted());  // asked, but proved nothing yet
  BOOST_REQUIRE(g.accept(network, names({"node2"})));
  BOOST_TEST(g.routes_wanted());
  BOOST_REQUIRE(g.end_session(network));
  BOOST_TEST(!g.routes_wanted());
}

// A node's "terminated" report becomes a delete only for its own pod that the master is
// deleting gracefully (deletionTimestamp set), with the pod's uid as precondition and grace 0.
BOOST_AUTO_TEST_CASE(a_terminated_report_confirms_only_a_graceful_deletion_on_that_node) {
  agents a;
  gateway_state g;
  auto s1 = a.make();
  open(g, a, s1);
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  auto deleting = pod_on("deleting", "node1");
  deleting.metadata.deletion_timestamp = {messages::timestamp::now().seconds + 30};
  auto state = state_with({deleting, pod_on("running", "node1"), pod_on("theirs", "node2")});
  auto terminated = [](const std::string& node, const std::string& name) {
    auto r = report(node, name, "uid-" + name, "Running");
    r.terminated = true;
    return r;
  };
  messages::pod_status_reports reports{{terminated("node1", "deleting"),
                                        terminated("node1", "running"),  // not being deleted
                                        terminated("node1", "theirs")}};  // not its node's
  BOOST_TEST(g.collect_statuses(s1, state, reports));
  BOOST_TEST(g.statuses.commands.empty());  // no status is written for them
  auto deletions = g.take_confirmed_deletions();
  BOOST_REQUIRE(deletions.size() == 1u);
  BOOST_TEST(deletions[0].target.name == "deleting");
  BOOST_TEST(deletions[0].cause == "system:node:node1");
  const auto& op = std::get<delete_op>(deletions[0].op);
  BOOST_TEST(op.uid_precondition == "uid-deleting");
  BOOST_TEST((op.grace_period_seconds == std::optional<int64_t>(0)));
  BOOST_TEST(g.take_confirmed_deletions().empty());
}

// A node's events count only for its own nodes' current pods, from the kubelet on that node,
// with a known type and a reason, their text bounded.
BOOST_AUTO_TEST_CASE(only_a_sessions_own_nodes_current_pods_get_their_events_kept) {
  agents a;
  gateway_state g;
  auto s1 = a.make();
  open(g, a, s1);
  BOOST_REQUIRE(g.accept(s1, names({"node1"})));
  auto state = state_with({pod_on("mine", "node1"), pod_on("theirs", "node2")});
  auto event = [](const std::string& node, const std::string& name, const std::string& uid,
                  const std::string& type, const std::string& reason, std::string message) {
    return messages::pod_event_report{node, "default", name, uid, type, reason, std::move(message)};
  };
  messages::pod_status_reports reports;
  reports.events = {
      event("node1", "mine", "uid-mine", "Warning", "FailedMount", std::string(5000, 'x')),
      event("node1", "theirs", "uid-theirs", "Warning", "FailedMount", "not its node's"),
      event("node2", "theirs", "uid-theirs", "Warning", "FailedMount", "another session's"),
      event("node1", "mine", "uid-older", "Warning", "FailedMount", "an older pod"),
      event("node1", "mine", "uid-mine", "Bogus", "FailedMount", "unknown type"),
      event("node1", "mine", "uid-mine", "Normal", "", "no reason"),
  };
  auto kept = g.collect_events(s1, state, reports);
  BOOST_REQUIRE(kept.size() == 1u);
  BOOST_TEST(kept[0].involved.kind == "Pod");
  BOOST_TEST(kept[0].involved.name == "mine");
  BOOST_TEST(kept[0].involved.uid == "uid-mine");
  BOOST_TEST(kept[0].reason == "FailedMount");
  BOOST_TEST(kept[0].message.size() == 1024u);
  BOOST_TEST(kept[0].source.component == "kubelet");
  BOOST_TEST(kept[0].source.host == "node1");
}
