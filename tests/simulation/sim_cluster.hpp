// The simulated world of one seed: the master's real control-plane actors on CAF's test
// coordinator, an in-memory journal, simulated nodes and clients, and a clock that moves only
// when the simulation says. Every choice (which pending message runs next, which fault comes)
// is drawn from one seeded generator, so a seed replays exactly.
#pragma once

#include <caf/scheduler/test_coordinator.hpp>

#include <functional>
#include <map>
#include <memory>
#include <random>

#include "actors/master/control_plane.hpp"
#include "messages/simulated_time.hpp"
#include "tests/simulation/sim_journal.hpp"

namespace capstan::simulation {

using actors::command_reply;
using messages::object_kind;
using store::object_key;

// A write the harness was told succeeded: it must be in the journal at `seq`.
struct acknowledged_write {
  object_kind kind;
  object_key key;
  uint64_t seq;
  int step;
};

// One simulated node: it registers, heartbeats and reports its pods Running, unless silent.
struct sim_node {
  std::string name;
  bool wanted = true;          // false once the workload deleted it (it stops re-registering)
  bool silent = false;         // stopped heartbeating and reporting (it comes back later)
  bool registering = false;    // its create is in flight
  int64_t next_heartbeat = 0;  // simulated seconds
};

// A message from a node held back by the network, delivered at `due` (simulated seconds).
struct delayed_delivery {
  int64_t due;
  std::function<void()> deliver;
};

class sim_cluster {
public:
  explicit sim_cluster(uint64_t seed);
  ~sim_cluster();
  sim_cluster(const sim_cluster&) = delete;
  sim_cluster& operator=(const sim_cluster&) = delete;

  // Every decision of the harness comes from here.
  std::mt19937_64 rng;
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }

  // ---- the master -------------------------------------------------------------------------
  const actors::read_model& model() const { return *model_; }
  const actors::control_plane& actors() const { return actors_; }
  sim_journal& journal() { return journal_; }
  // A crash at this point: the actors die with whatever they were doing, up to `durable`
  // pending appends reach the disk unacknowledged, and a new master starts on the state
  // replayed from the journal. Returns the live state it had and the replayed one.
  std::pair<store::cluster_state, store::cluster_state> restart_master(std::size_t durable);
  // Lifts a stall: the journal commits what waited.
  void resume_journal();

  // ---- running ----------------------------------------------------------------------------
  // Runs up to `max` messages, each time a seeded pick among the actors with mail.
  std::size_t run(std::size_t max);
  // Which actors run the next `count` messages, as "name: n, ..." (a livelock's culprits).
  std::string busiest(std::size_t count);
  // Moves simulated time: timers fire, delayed node messages arrive.
  void advance(std::chrono::seconds by);
  int64_t now_seconds() const { return now_seconds_; }
  uint64_t messages_run() const { return messages_run_; }

  // ---- clients ----------------------------------------------------------------------------
  // Sends `command` from a client of its own; `done` hears the reply (an error reply when the
  // actor died first). Acknowledged writes are recorded.
  void create(messages::any_object object, std::function<void(const command_reply&)> done = {});
  void command(actors::object_command command, std::function<void(const command_reply&)> done = {});
  const std::vector<acknowledged_write>& acknowledged() const { return acknowledged_; }
  int step = 0;  // the workload's step, recorded with acknowledgements

  // ---- nodes ------------------------------------------------------------------------------
  std::vector<sim_node> nodes;
  // What each node does now: register if it is not in the read model, heartbeat when due, and
  // report every pod bound to it Running. With `duplicate`/`delay` probabilities heartbeats
  // and status reports are sent twice or held back (both restate the node's view, which the
  // master must tolerate).
  void node_duties(double duplicate, double delay);
  std::map<std::string, uint64_t> faults;  // injected, by kind

private:
  void start_master(store::cluster_state state);
  void stop_master(std::size_t durable);  // a crash: see sim_journal::crash
  void publish(const actors::committed_batch& batch);
  void spawn_client(std::function<void(caf::event_based_actor*)> body);
  // Sends `message` to the registry of `kind` from a client actor of its own. A successful reply
  // is recorded as acknowledged: every one when `always_journals`, else only those that
  // journaled a record (seq > 0). `done` gets every reply.
  template <class Message>
  void request_as_client(object_kind kind, object_key key, Message message, bool always_journals,
                         std::function<void(const command_reply&)> done);
  void send_or_hold(double duplicate, double delay, const char* kind, std::function<void()> send);

  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> system_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  int64_t now_seconds_ = 1700000000;
  messages::simulated_time clock_guard_{&now_seconds_};
  sim_journal journal_;
  std::unique_ptr<actors::read_model> model_;
  sim_journal_actor journal_actor_;
  actors::control_plane actors_;
  std::vector<acknowledged_write> acknowledged_;
  std::vector<delayed_delivery> delayed_;
  std::vector<caf::actor> clients_;  // killed with the master (a reply may never come)
  uint64_t messages_run_ = 0;
  uint64_t pod_ips_ = 0;  // pod addresses handed out by the simulated nodes
};

// The pods a node reports: Running and Ready, with an address.
messages::pod_status running_status(const std::string& pod_ip, int64_t now);

}  // namespace capstan::simulation
