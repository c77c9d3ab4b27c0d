#include "api/watch_hub.hpp"

#include <boost/asio/post.hpp>

namespace capstan::api {

watch_hub::watch_hub(actors::master& master, boost::asio::io_context& io)
    : master_(master), state_(std::make_shared<shared_state>()) {
  state_->io = &io;
  state_->strand.emplace(boost::asio::make_strand(io));
  state_->delivered = master.model().seq();
  subscription_ = master_.watch(state_->delivered + 1,
                                [state = state_](const auto& records) { on_commit(*state, records); });
}

watch_hub::~watch_hub() {
  master_.unwatch(subscription_);
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->io = nullptr;
  state_->strand.reset();
  for (auto& m : state_->by_kind)
    m.clear();
  state_->kinds.clear();
}

watch_hub::registration watch_hub::add(messages::object_kind kind,
                                       std::function<void(const record_batch&)> deliver) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  uint64_t id = state_->next_id++;
  state_->by_kind[static_cast<std::size_t>(kind)].emplace(
      id, std::make_shared<std::function<void(const record_batch&)>>(std::move(deliver)));
  state_->kinds.emplace(id, kind);
  return {id, state_->delivered};
}

void watch_hub::remove(uint64_t id) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto it = state_->kinds.find(id);
  if (it == state_->kinds.end())
    return;
  state_->by_kind[static_cast<std::size_t>(it->second)].erase(id);
  state_->kinds.erase(it);
}

void watch_hub::detach() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->io = nullptr;
  state_->strand.reset();  // it refers to the io_context
}

std::size_t watch_hub::watchers() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->kinds.size();
}

// On the journal's commit thread: must not block. Copies the batch once, only when someone
// watches one of its kinds, and fans it out on an io thread.
void watch_hub::on_commit(shared_state& state,
                          const std::vector<messages::journal_record>& records) {
  if (records.empty())
    return;
  std::vector<deliver_fn> targets;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    state.delivered = std::max(state.delivered, records.back().seq);
    if (state.kinds.empty() || !state.io)
      return;
    std::array<bool, messages::object_kind_count> present{};
    for (const auto& r : records)
      present[static_cast<std::size_t>(r.kind)] = true;
    for (std::size_t k = 0; k < present.size(); ++k)
      if (present[k])
        for (const auto& [id, fn] : state.by_kind[k])
          targets.push_back(fn);
  }
  if (targets.empty())
    return;
  // Copied outside the lock (a batch can hold thousands of records); watchers added meanwhile
  // get these records from the journal instead (their registration saw `delivered` already).
  auto batch = std::make_shared<const std::vector<messages::journal_record>>(records);
  std::lock_guard<std::mutex> lock(state.mutex);
  // Posted under the lock, so that detach() cannot let the io_context go in between.
  if (state.io)
    boost::asio::post(*state.strand, [batch, targets = std::move(targets)] {
      for (const auto& fn : targets)
        (*fn)(batch);
    });
}

}  // namespace capstan::api
