// The simulation's journal: an in-memory log with the journal actor's protocol (actors.hpp),
// committed when the simulation's scheduler runs it, and able to fail or stall appends. It
// stands where actors/journal + store/journal_writer stand in the master: it asks the read
// model's pre-write check, applies each committed batch to the read model, hands the batch
// to the subscribers, then acknowledges the appends, in that order (as journal_writer does).
#pragma once

#include <functional>
#include <random>

#include "actors/actors.hpp"
#include "actors/read_model/read_model.hpp"

namespace capstan::simulation {

using messages::journal_record;

// What the journal's faults are now; set by the simulation between steps.
struct journal_faults {
  int failing_commits = 0;  // this many next commits refuse every pending append (disk error)
  bool stalled = false;     // commits wait (a slow disk); appends queue up meanwhile
};

// The durable log and the appends waiting for a commit. Outlives the journal actors of the
// master incarnations that use it (it is the disk). Single-threaded: the simulation runs
// every actor on its own thread.
class sim_journal {
public:
  using batch_sink = std::function<void(const actors::committed_batch&)>;

  const std::vector<journal_record>& records() const { return records_; }
  journal_faults faults;
  // The time stamped on committed records (the simulation's clock, nanoseconds).
  int64_t now_nanos = 0;

  // The read model fed by commits, and where committed batches go after it: the master
  // incarnation now running (cleared when it stops).
  void attach(actors::read_model* model, batch_sink sink);
  void detach();

  // Queues an append; `done` is called with its result at the commit that takes it.
  void append(std::vector<journal_record> records, std::function<void(store::append_result)> done);
  bool has_pending() const { return !pending_.empty(); }
  std::size_t pending() const { return pending_.size(); }

  // One commit of everything pending (unless stalled): checked, sequenced, applied to the read
  // model, published, acknowledged; or refused with a write error while failing. Returns the
  // number of records made durable.
  std::size_t commit();
  // A crash: the first `durable` pending appends (at most) reach the disk unacknowledged (the
  // writer had synced them, its process died before answering); the rest are lost. Works on
  // the attached model, without publishing. Every pending append's `done` is then called with a
  // refusal, heard only by the stopped master's actors (they must be able to finish exiting).
  void crash(std::size_t durable);

  // Counts for the report.
  uint64_t refused_by_fault = 0;  // appends refused by an injected write error
  uint64_t refused_by_check = 0;  // appends refused by the pre-write check (lost races)

private:
  struct pending_append {
    std::vector<journal_record> records;
    std::function<void(store::append_result)> done;
  };
  std::size_t commit_batch(std::vector<pending_append>& batch, bool publish);

  std::vector<journal_record> records_;
  std::vector<pending_append> pending_;
  actors::read_model* model_ = nullptr;
  batch_sink sink_;
};

// The journal actor over `journal`: actors::journal_actor, and what the simulation drives.
using crash_atom = caf::atom_constant<caf::atom("simcrash")>;
using sim_journal_actor = actors::journal_actor::extend<
    // A commit: runs as its own message after appends arrive (so other actors' appends may join
    // the batch, as with group commit), and when the simulation lifts a stall.
    caf::reacts_to<actors::tick_atom>,
    // The master's crash, its last message: sim_journal::crash(durable), then the actor exits.
    caf::reacts_to<crash_atom, uint64_t>,
    // A committed batch, for the subscribers that asked this actor.
    caf::reacts_to<actors::committed_atom, actors::committed_batch>>;
sim_journal_actor spawn_sim_journal_actor(caf::actor_system& system, sim_journal& journal);

}  // namespace capstan::simulation
