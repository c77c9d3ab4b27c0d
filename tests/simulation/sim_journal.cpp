#include "tests/simulation/sim_journal.hpp"

#include "store/apply.hpp"

namespace capstan::simulation {

void sim_journal::attach(actors::read_model* model, batch_sink sink) {
  model_ = model;
  sink_ = std::move(sink);
}

void sim_journal::detach() {
  model_ = nullptr;
  sink_ = nullptr;
}

void sim_journal::append(std::vector<journal_record> records,
                         std::function<void(store::append_result)> done) {
  pending_.push_back({std::move(records), std::move(done)});
}

std::size_t sim_journal::commit() {
  if (faults.stalled || pending_.empty())
    return 0;
  std::vector<pending_append> batch;
  batch.swap(pending_);
  if (faults.failing_commits > 0) {
    --faults.failing_commits;
    for (auto& a : batch) {
      ++refused_by_fault;
      a.done(store::append_result{0, 0, "simulated write error: No space left on device"});
    }
    return 0;
  }
  return commit_batch(batch, true);
}

void sim_journal::crash(std::size_t durable) {
  std::vector<pending_append> batch;
  std::vector<std::function<void(store::append_result)>> abandoned;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    abandoned.push_back(std::move(pending_[i].done));
    if (i < durable)
      batch.push_back({std::move(pending_[i].records), nullptr});
  }
  pending_.clear();
  if (!batch.empty() && model_)
    commit_batch(batch, false);
  // No acknowledgement: the master that asked is gone. But its actors are still in memory, and
  // one waiting for this answer (CAF's `await`) skips its exit message until it comes: each gets
  // a refusal, so that it finishes and exits instead of living on, holding the others.
  for (auto& done : abandoned)
    if (done)
      done(store::append_result{0, 0, "the master crashed"});
}

std::size_t sim_journal::commit_batch(std::vector<pending_append>& batch, bool publish) {
  // As journal_writer::commit: the pre-write check first, then one write, then subscribers,
  // then completions.
  std::vector<const std::vector<journal_record>*> appends;
  for (const auto& a : batch)
    appends.push_back(&a.records);
  auto refusals = model_->check_appends(appends);
  std::vector<journal_record> committed;
  std::vector<std::pair<std::size_t, store::append_result>> results;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!refusals[i].empty()) {
      ++refused_by_check;
      results.push_back({i, store::append_result{0, 0, refusals[i]}});
      continue;
    }
    store::append_result r;
    for (auto& rec : batch[i].records) {
      rec.seq = records_.size() + committed.size() + 1;
      if (rec.time_nanos == 0)
        rec.time_nanos = now_nanos;
      if (!r.first_seq)
        r.first_seq = rec.seq;
      r.last_seq = rec.seq;
      committed.push_back(rec);
    }
    results.push_back({i, r});
  }
  records_.insert(records_.end(), committed.begin(), committed.end());
  if (!committed.empty()) {
    model_->apply(committed);
    if (publish && sink_)
      sink_(std::make_shared<const std::vector<journal_record>>(committed));
  }
  for (auto& [i, r] : results)
    if (batch[i].done)
      batch[i].done(r);
  return committed.size();
}

namespace {

struct journal_actor_state {
  sim_journal* journal = nullptr;
  bool commit_pending = false;
  std::vector<std::pair<uint64_t, actors::batch_subscriber_actor>> subscribers;  // from, whom
  static inline const char* name = "sim-journal";
};

using journal_self = sim_journal_actor::stateful_pointer<journal_actor_state>;

void request_commit(journal_self self) {
  if (!self->state.commit_pending && self->state.journal->has_pending()) {
    self->state.commit_pending = true;
    self->send(self, actors::tick_atom::value);
  }
}

sim_journal_actor::behavior_type sim_journal_behavior(journal_self self, sim_journal* journal) {
  self->state.journal = journal;
  return {
      [=](actors::append_atom,
          std::vector<journal_record>& records) -> caf::result<store::append_result> {
        auto rp = self->make_response_promise<store::append_result>();
        self->state.journal->append(std::move(records),
                                    [rp](store::append_result r) mutable { rp.deliver(r); });
        request_commit(self);
        return rp;
      },
      [=](actors::append_each_atom,
          std::vector<journal_record>& records) -> caf::result<std::vector<store::append_result>> {
        auto rp = self->make_response_promise<std::vector<store::append_result>>();
        if (records.empty())
          return std::vector<store::append_result>{};
        struct gathering {
          std::vector<store::append_result> results;
          std::size_t left;
        };
        auto all = std::make_shared<gathering>(
            gathering{std::vector<store::append_result>(records.size()), records.size()});
        for (std::size_t i = 0; i < records.size(); ++i) {
          std::vector<journal_record> one;
          one.push_back(std::move(records[i]));
          self->state.journal->append(std::move(one), [all, i, rp](store::append_result r) mutable {
            all->results[i] = std::move(r);
            if (--all->left == 0)
              rp.deliver(std::move(all->results));
          });
        }
        request_commit(self);
        return rp;
      },
      [=](actors::subscribe_atom, actors::sequence_number first,
          const actors::batch_subscriber_actor& subscriber) {
        const uint64_t from = first.value;
        const auto& log = self->state.journal->records();
        if (from >= 1 && from <= log.size())
          self->send(subscriber, actors::committed_atom::value,
                     std::make_shared<const std::vector<journal_record>>(log.begin() + (from - 1),
                                                                         log.end()));
        self->state.subscribers.emplace_back(std::max<uint64_t>(from, log.size() + 1), subscriber);
      },
      [=](actors::tick_atom) {
        self->state.commit_pending = false;
        self->state.journal->commit();
        if (!self->state.journal->faults.stalled)
          request_commit(self);  // stalled: the simulation sends a tick when the stall ends
      },
      [=](crash_atom, uint64_t durable) {
        self->state.journal->crash(static_cast<std::size_t>(durable));
        self->quit(caf::exit_reason::user_shutdown);
      },
      // Internal: a committed batch, for the subscribers that asked this actor.
      [=](actors::committed_atom, const actors::committed_batch& batch) {
        for (const auto& [from, s] : self->state.subscribers)
          if (batch->back().seq >= from)
            self->send(s, actors::committed_atom::value, batch);
      },
  };
}

}  // namespace

sim_journal_actor spawn_sim_journal_actor(caf::actor_system& system, sim_journal& journal) {
  return system.spawn(sim_journal_behavior, &journal);
}

}  // namespace capstan::simulation
