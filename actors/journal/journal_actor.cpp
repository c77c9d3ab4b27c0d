#include "actors/journal/journal_actor.hpp"

#include <algorithm>

#include <map>
#include <unordered_map>

namespace capstan::actors {

namespace {

struct journal_state {
  store::journal_writer* writer = nullptr;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, caf::response_promise> pending;
  std::map<caf::actor_addr, uint64_t> subscriptions;  // subscriber -> writer subscription
  static inline const char* name = "journal";
};

journal_impl_actor::behavior_type journal(journal_impl_actor::stateful_pointer<journal_state> self,
                                          store::journal_writer* writer) {
  self->state.writer = writer;
  // A subscriber that is gone no longer receives anything.
  self->set_down_handler([=](const caf::down_msg& down) {
    auto it = self->state.subscriptions.find(down.source);
    if (it != self->state.subscriptions.end()) {
      self->state.writer->unsubscribe(it->second);
      self->state.subscriptions.erase(it);
    }
  });
  // On shutdown, whoever still waits for an answer hears that none is coming.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (auto& [id, rp] : self->state.pending)
      rp.deliver(caf::make_error(caf::sec::request_receiver_down));
    self->state.pending.clear();
    self->quit(msg.reason);
  });
  return {
      // Submits the records; answers with their sequence numbers once durable.
      [=](append_atom,
          std::vector<messages::journal_record>& records) -> caf::result<store::append_result> {
        auto rp = self->make_response_promise<store::append_result>();
        uint64_t id = self->state.next_id++;
        self->state.pending.emplace(id, rp);
        journal_impl_actor me = self;
        // The completion runs on the commit thread: it only sends a message back here.
        self->state.writer->append(std::move(records), [me, id](const store::append_result& r) {
          caf::anon_send(me, appended_atom::value, id, r);
        });
        return rp;
      },
      // Submits each record as its own append (accepted or refused on its own); answers with
      // one result per record once all are durable or refused.
      [=](append_each_atom, std::vector<messages::journal_record>& records)
          -> caf::result<std::vector<store::append_result>> {
        auto rp = self->make_response_promise<std::vector<store::append_result>>();
        uint64_t id = self->state.next_id++;
        self->state.pending.emplace(id, rp);
        journal_impl_actor me = self;
        self->state.writer->append_each(
            std::move(records), [me, id](std::vector<store::append_result> results) {
              caf::anon_send(me, appended_atom::value, id, std::move(results));
            });
        return rp;
      },
      // Catch-up then live delivery from any sequence number (what watches are built on).
      [=](subscribe_atom, sequence_number from, const batch_subscriber_actor& subscriber) {
        auto id = self->state.writer->subscribe(
            from.value, [subscriber](const std::vector<messages::journal_record>& records) {
              caf::anon_send(
                  subscriber, committed_atom::value,
                  std::make_shared<const std::vector<messages::journal_record>>(records));
            });
        self->state.subscriptions[subscriber.address()] = id;
        self->monitor(subscriber);
      },
      // Internal: a submitted append_each completed.
      [=](appended_atom, uint64_t id, std::vector<store::append_result>& results) {
        auto it = self->state.pending.find(id);
        if (it == self->state.pending.end())
          return;
        it->second.deliver(std::move(results));
        self->state.pending.erase(it);
      },
      // Internal: a submitted append completed.
      [=](appended_atom, uint64_t id, store::append_result& result) {
        auto it = self->state.pending.find(id);
        if (it == self->state.pending.end())
          return;
        it->second.deliver(std::move(result));
        self->state.pending.erase(it);
      },
  };
}

}  // namespace

journal_actor spawn_journal_actor(caf::actor_system& system, store::journal_writer& writer) {
  return system.spawn(journal, &writer);
}

batch_fanout::batch_fanout(store::journal_writer& writer, uint64_t from) {
  writer.subscribe(from, [this](const std::vector<messages::journal_record>& records) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (subscribers_.empty())
      return;
    auto batch = std::make_shared<const std::vector<messages::journal_record>>(records);
    for (const auto& s : subscribers_)
      caf::anon_send(s, committed_atom::value, batch);
  });
}

void batch_fanout::add(batch_subscriber_actor subscriber) {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.push_back(std::move(subscriber));
}

void batch_fanout::remove(const std::vector<caf::actor_addr>& leaving) {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                    [&](const batch_subscriber_actor& s) {
                                      return std::find(leaving.begin(), leaving.end(),
                                                       s.address()) != leaving.end();
                                    }),
                     subscribers_.end());
}

void batch_fanout::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.clear();
}

}  // namespace capstan::actors
