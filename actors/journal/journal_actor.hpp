// The journal actor: the master's only way to append to the journal. Appends go to the
// journal_writer's commit thread (group commit, fsync there, never on CAF's threads); the
// reply comes after the records are durable and applied to the read model.
#pragma once

#include <mutex>

#include "actors/actors.hpp"

namespace capstan::actors {

journal_actor spawn_journal_actor(caf::actor_system& system, store::journal_writer& writer);

// Hands every committed batch, as one shared copy, to each subscribed actor as
// (committed_atom, committed_batch). Subscribe actors before the first append they must see.
class batch_fanout {
public:
  explicit batch_fanout(store::journal_writer& writer, uint64_t from);
  void add(batch_subscriber_actor subscriber);
  // Stops handing batches to these (actors that stop).
  void remove(const std::vector<caf::actor_addr>& subscribers);
  void clear();

private:
  std::mutex mutex_;
  std::vector<batch_subscriber_actor> subscribers_;
};

}  // namespace capstan::actors
