// Tests actors/nodes/pod_dispatcher.cpp on CAF's test coordinator: a session gets its nodes'
// whole pod sets when it starts, then one message per committed batch with only its nodes'
// changes; a node that left gets nothing more; a node taken over by a new session is served
// there, deletes included; the nodes' own status reports are not echoed back.
#include <boost/test/unit_test.hpp>

#include "actors/nodes/pod_dispatcher.hpp"
#include "store/apply.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;
using messages::node_agent_actor;
using messages::pod_assignments;

namespace {

// An agent actor that keeps every pod_assignments it receives.
struct recorder {
  std::shared_ptr<std::vector<pod_assignments>> received =
      std::make_shared<std::vector<pod_assignments>>();
  node_agent_actor handle;

  explicit recorder(deterministic_system& sys) {
    auto log = received;
    handle = caf::actor_cast<node_agent_actor>(sys.keep(sys.system->spawn([log] {
      return caf::behavior{[log](messages::pods_atom, pod_assignments& a) { log->push_back(a); }};
    })));
  }
  // What arrived since the last call.
  std::vector<pod_assignments> take() {
    auto out = std::move(*received);
    received->clear();
    return out;
  }
};

messages::pod pod_on(const std::string& name, const std::string& node) {
  auto p = small_pod(name);
  p.spec.node_name = node;
  return p;
}

// A cluster whose committed batches go to the read model and then to the dispatcher, as the
// gateway forwards them.
struct dispatch_fixture {
  read_model model{store::cluster_state{}};  // outlives the dispatcher, which reads it
  deterministic_system sys;
  uint64_t seq = 0;
  pod_dispatcher_actor dispatcher;

  dispatch_fixture() { dispatcher = sys.keep(spawn_pod_dispatcher(*sys.system, model)); }

  void commit(std::vector<messages::journal_record> records) {
    for (auto& r : records)
      r.seq = ++seq;
    model.apply(records);
    caf::anon_send(dispatcher, committed_atom::value,
                   std::make_shared<const std::vector<messages::journal_record>>(records));
    sys.run();
  }
  static std::vector<node_name> names(const std::vector<std::string>& nodes) {
    std::vector<node_name> out;
    for (const auto& n : nodes)
      out.push_back({n});
    return out;
  }
  void start(const std::vector<std::string>& nodes, const recorder& session) {
    caf::anon_send(dispatcher, session_atom::value, names(nodes), session.handle);
    sys.run();
  }
  void leave(const std::vector<std::string>& nodes) {
    caf::anon_send(dispatcher, session_atom::value, names(nodes));
    sys.run();
  }
};

messages::journal_record deleted(const messages::pod& p) {
  return record_for(p, messages::object_deleted{"deleted"});
}

messages::journal_record status_of(const messages::pod& p, const std::string& phase) {
  messages::pod_status status;
  status.phase = phase;
  return record_for(p, messages::pod_status_changed{status}, "system:node:" + p.spec.node_name);
}

std::vector<std::string> pod_names(const messages::node_pods& n) {
  std::vector<std::string> out;
  for (const auto& p : n.pods)
    out.push_back(p.metadata.name);
  return out;
}

}  // namespace

// Guards a session's start: every node it proved gets its whole desired set (full, so the
// agent stops pods not listed), all its nodes in one message, nothing of other nodes.
BOOST_AUTO_TEST_CASE(a_starting_session_gets_each_nodes_whole_set_in_one_message) {
  dispatch_fixture f;
  f.commit({created(pod_on("a", "node1")), created(pod_on("b", "node2")),
            created(pod_on("c", "node3"))});
  recorder session(f.sys);
  f.start({"node1", "node2"}, session);
  auto got = session.take();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_REQUIRE(got[0].nodes.size() == 2u);
  BOOST_TEST(got[0].nodes[0].node_name == "node1");
  BOOST_TEST(got[0].nodes[0].full);
  BOOST_TEST(pod_names(got[0].nodes[0]) == std::vector<std::string>{"a"});
  BOOST_TEST(got[0].nodes[1].node_name == "node2");
  BOOST_TEST(pod_names(got[0].nodes[1]) == std::vector<std::string>{"b"});
}

// Guards a committed batch's delivery: one message per session with its nodes' new pods and
// deletes, none for pods of nodes without a session, and no echo of the nodes' own status
// reports (they would bounce between node and master forever).
BOOST_AUTO_TEST_CASE(a_batch_sends_each_session_only_its_nodes_changes_once) {
  dispatch_fixture f;
  auto a = pod_on("a", "node1");
  f.commit({created(a)});
  recorder one(f.sys), two(f.sys);
  f.start({"node1"}, one);
  f.start({"node2"}, two);
  one.take();
  two.take();
  f.commit({created(pod_on("b", "node1")), created(pod_on("c", "node1")),
            created(pod_on("d", "node2")), created(pod_on("e", "node9")), status_of(a, "Running")});
  auto got = one.take();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_REQUIRE(got[0].nodes.size() == 1u);
  BOOST_TEST(!got[0].nodes[0].full);
  BOOST_TEST(pod_names(got[0].nodes[0]) == (std::vector<std::string>{"b", "c"}));  // no "a"
  auto theirs = two.take();
  BOOST_REQUIRE(theirs.size() == 1u);
  BOOST_TEST(pod_names(theirs[0].nodes.at(0)) == std::vector<std::string>{"d"});
  f.commit({status_of(a, "Failed")});  // a status alone: nothing to send
  BOOST_TEST(one.take().empty());
  f.commit({deleted(a)});
  got = one.take();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_REQUIRE(got[0].nodes.at(0).gone.size() == 1u);
  BOOST_TEST(got[0].nodes[0].gone[0].name == "a");
  BOOST_TEST(got[0].nodes[0].gone[0].uid == "uid-a");
  BOOST_TEST(two.take().empty());
}

// Guards against a disconnected node's pods still going to its old session (a dead actor,
// or worse, a live agent that no longer speaks for the node).
BOOST_AUTO_TEST_CASE(a_node_that_left_gets_nothing_more) {
  dispatch_fixture f;
  auto a = pod_on("a", "node1");
  f.commit({created(a)});
  recorder session(f.sys);
  f.start({"node1", "node2"}, session);
  session.take();
  f.leave({"node1"});
  f.commit({created(pod_on("b", "node1")), created(pod_on("c", "node2")), deleted(a)});
  auto got = session.take();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_REQUIRE(got[0].nodes.size() == 1u);  // node2's pod only; nothing of node1
  BOOST_TEST(got[0].nodes[0].node_name == "node2");
  BOOST_TEST(pod_names(got[0].nodes[0]) == std::vector<std::string>{"c"});
}

// Guards the reconnect of a machine: a node taken over by a new session is served there --
// its whole set at the start, then new pods and the deletes of pods the old session was sent.
BOOST_AUTO_TEST_CASE(a_node_taken_over_by_a_new_session_is_served_there) {
  dispatch_fixture f;
  auto a = pod_on("a", "node1");
  f.commit({created(a)});
  recorder old_session(f.sys), new_session(f.sys);
  f.start({"node1"}, old_session);
  old_session.take();
  // The gateway's order on a takeover: the node leaves the old session, then starts anew.
  f.leave({"node1"});
  f.start({"node1"}, new_session);
  auto start = new_session.take();
  BOOST_REQUIRE(start.size() == 1u);
  BOOST_TEST(start[0].nodes.at(0).full);
  BOOST_TEST(pod_names(start[0].nodes.at(0)) == std::vector<std::string>{"a"});
  f.commit({created(pod_on("b", "node1")), deleted(a)});
  BOOST_TEST(old_session.take().empty());
  auto got = new_session.take();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(pod_names(got[0].nodes.at(0)) == std::vector<std::string>{"b"});
  BOOST_REQUIRE(got[0].nodes.at(0).gone.size() == 1u);
  BOOST_TEST(got[0].nodes[0].gone[0].name == "a");
}
