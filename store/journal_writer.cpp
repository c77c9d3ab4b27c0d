#include "store/journal_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <random>

#include "store/journal_entry.hpp"

namespace capstan::store {

journal_writer::journal_writer(event_log& log, std::size_t max_batch_records,
                               std::chrono::milliseconds retry_every)
    : log_(log), max_batch_records_(max_batch_records), retry_every_(retry_every),
      last_seq_(log.last_seq()) {
  thread_ = std::thread([this] { run(); });
}

journal_writer::journal_writer(event_log& log, std::unique_ptr<replicated_log> engine,
                               std::size_t max_batch_records,
                               std::chrono::milliseconds retry_every)
    : log_(log), max_batch_records_(max_batch_records), retry_every_(retry_every),
      last_seq_(log.last_seq()) {
  machine_ = std::make_unique<journal_state_machine>(
      log_, [this](uint64_t index, std::vector<journal_record>&& records) {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (starting_) {
            // Nobody subscribed yet: what the start applies (a replay, a catch-up) is read
            // from the journal by the first subscribers, not held here.
            if (!records.empty())
              last_seq_ = records.back().seq;
            return;
          }
          applied_.push_back({index, std::move(records)});
        }
        wake_.notify_one();
      });
  engine->start(*machine_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    starting_ = false;
  }
  engine_ = std::move(engine);
  thread_ = std::thread([this] { run(); });
}

bool journal_writer::wait_until_leading(std::chrono::milliseconds timeout) {
  return !engine_ || engine_->wait_until_leading(timeout);
}

journal_writer::~journal_writer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  // The engine's thread hands applied entries to this writer's queue: it stops first.
  engine_.reset();
}

void journal_writer::append(std::vector<journal_record> records, completion done) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!failure_.empty() || stopping_) {
    std::string error = failure_.empty() ? "the journal is shutting down" : failure_;
    lock.unlock();
    done(append_result{0, 0, error});
    return;
  }
  queue_.push_back({std::move(records), std::move(done)});
  lock.unlock();
  wake_.notify_one();
}

void journal_writer::append_each(std::vector<journal_record> records, each_completion done) {
  struct gathering {
    std::vector<append_result> results;
    std::size_t left;
    each_completion done;
  };
  if (records.empty()) {
    done({});
    return;
  }
  auto all = std::make_shared<gathering>(
      gathering{std::vector<append_result>(records.size()), records.size(), std::move(done)});
  std::unique_lock<std::mutex> lock(mutex_);
  if (!failure_.empty() || stopping_) {
    std::string error = failure_.empty() ? "the journal is shutting down" : failure_;
    lock.unlock();
    for (auto& r : all->results)
      r.error = error;
    all->done(std::move(all->results));
    return;
  }
  // Completions run on the commit thread only, so `left` needs no lock.
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::vector<journal_record> one;
    one.push_back(std::move(records[i]));
    queue_.push_back({std::move(one), [all, i](const append_result& r) {
                        all->results[i] = r;
                        if (--all->left == 0)
                          all->done(std::move(all->results));
                      }});
  }
  lock.unlock();
  wake_.notify_one();
}

append_result journal_writer::append(std::vector<journal_record> records) {
  // The completion owns the promise: the commit thread may still be inside set_value when this
  // thread, woken by it, returns (a promise on this stack would be destroyed under it).
  auto promise = std::make_shared<std::promise<append_result>>();
  auto future = promise->get_future();
  append(std::move(records), [promise](const append_result& r) { promise->set_value(r); });
  return future.get();
}

uint64_t journal_writer::subscribe(uint64_t from, subscriber s) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t id = next_subscription_++;
  joining_.push_back({id, from, std::move(s)});
  wake_.notify_one();
  return id;
}

void journal_writer::unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  leaving_.push_back(id);
  joining_.erase(std::remove_if(joining_.begin(), joining_.end(),
                                [id](const subscription& s) { return s.id == id; }),
                 joining_.end());
  wake_.notify_one();
}

std::string journal_writer::failure() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

journal_writer_stats journal_writer::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

journal_memory journal_writer::memory() const {
  journal_memory m;
  m.log = log_.memory();
  if (engine_)
    m.replicated_entries = engine_->held_entry_bytes();
  return m;
}

uint64_t journal_writer::last_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_seq_;
}

void journal_writer::attach_new_subscribers() {
  std::vector<subscription> joining;
  std::vector<uint64_t> leaving;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    joining.swap(joining_);
    leaving.swap(leaving_);
  }
  for (uint64_t id : leaving)
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [id](const subscription& s) { return s.id == id; }),
                live_.end());
  // Catch up from the log up to what was delivered: later records (written meanwhile by the
  // engine's thread) reach the new subscriber with the next deliveries.
  uint64_t delivered = last_seq();
  for (auto& s : joining) {
    std::vector<journal_record> chunk;
    try {
      log_.read(s.from, delivered, [&](journal_record&& r) {
        chunk.push_back(std::move(r));
        if (chunk.size() == 4096) {
          s.deliver(chunk);
          chunk.clear();
        }
        return true;
      });
    } catch (const store_error& e) {
      // The log cannot be read past a damaged record, so this subscriber cannot be served
      // without a gap: it is dropped, loudly. Writers and other subscribers go on.
      std::fprintf(stderr, "capstan: journal subscription from %llu dropped: %s\n",
                   static_cast<unsigned long long>(s.from), e.what());
      continue;
    }
    if (!chunk.empty())
      s.deliver(chunk);
    s.from = std::max(s.from, delivered + 1);
    live_.push_back(std::move(s));
  }
}

void journal_writer::run() {
  for (;;) {
    std::deque<pending_append> batch;
    bool failed = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto ready = [this] {
        return stopping_ || !queue_.empty() || !joining_.empty() || !leaving_.empty() ||
               !applied_.empty();
      };
      if (failure_.empty())
        wake_.wait(lock, ready);
      else
        wake_.wait_for(lock, retry_every_, ready);
      if (stopping_ && queue_.empty())
        return;
      failed = !failure_.empty();
    }
    if (failed && !try_recover()) {
      attach_new_subscribers();  // readers of what is committed are served meanwhile
      deliver_applied();
      continue;
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      // Take what is waiting, up to the batch bound (always at least one append).
      std::size_t records = 0;
      while (!queue_.empty() &&
             (batch.empty() || records + queue_.front().records.size() <= max_batch_records_)) {
        records += queue_.front().records.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    attach_new_subscribers();
    deliver_applied();
    if (!batch.empty())
      commit(batch);
  }
}

bool journal_writer::try_recover() {
  std::string still;
  try {
    // Replicated, the engine's thread writes the journal (and recovers it when an entry fails:
    // journal_state_machine::apply); here only the room a batch needs is checked.
    if (engine_)
      log_.require_room_for(0);
    else
      log_.recover();
  } catch (const store_error& e) {
    still = e.what();
  }
  std::deque<pending_append> refused;
  std::string error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (still.empty()) {
      std::fprintf(stderr, "capstan: the journal is writable again (was: %s)\n",
                   failure_.c_str());
      failure_.clear();
      if (engine_)
        engine_->retry_apply();  // an entry committed but not applied is applied now
      return true;
    }
    // Appends queued before the failure was known are refused now, not left waiting.
    refused.swap(queue_);
    error = failure_;
  }
  for (auto& a : refused)
    a.done(append_result{0, 0, error});
  return false;
}

void journal_writer::commit(std::deque<pending_append>& batch) {
  if (check_) {
    std::vector<const std::vector<journal_record>*> appends;
    for (const auto& a : batch)
      appends.push_back(&a.records);
    auto refusals = check_(appends);
    std::deque<pending_append> accepted;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (refusals[i].empty())
        accepted.push_back(std::move(batch[i]));
      else
        batch[i].done(append_result{0, 0, refusals[i]});
    }
    batch.swap(accepted);
    if (batch.empty())
      return;
  }
  std::vector<journal_record> records;
  std::vector<std::size_t> sizes;
  for (auto& a : batch) {
    sizes.push_back(a.records.size());
    for (auto& r : a.records)
      records.push_back(std::move(r));
  }
  append_result failed;
  uint64_t seq = 0;
  try {
    if (engine_)
      seq = write_replicated(records, failed.error);
    else
      seq = write_local(records);
  } catch (const store_error& e) {
    failed.error = e.what();
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = failed.error;
  }
  if (!failed.ok()) {
    for (auto& a : batch)
      a.done(failed);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    append_result r;
    r.first_seq = sizes[i] ? seq : 0;
    r.last_seq = sizes[i] ? seq + sizes[i] - 1 : 0;
    seq += sizes[i];
    batch[i].done(r);
  }
}

uint64_t journal_writer::write_local(std::vector<journal_record>& records) {
  std::size_t bytes = log_.append(records);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.batches += 1;
    stats_.bytes += bytes;
  }
  // Subscribers first (the read model among them), so that an acknowledged append is
  // already visible to readers when its writer hears back.
  deliver(records);
  return records.empty() ? 0 : records.front().seq;
}

uint64_t journal_writer::write_replicated(std::vector<journal_record>& records,
                                          std::string& refused) {
  static thread_local std::mt19937_64 proposals{std::random_device{}()};
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Numbered after what this member applied (entries applied meanwhile are handed on first),
  // and stamped here: every member records the leader's numbers and time.
  deliver_applied();
  uint64_t next = last_seq() + 1;
  for (auto& r : records) {
    r.seq = next++;
    if (r.time_nanos == 0)
      r.time_nanos = now;
  }
  journal_entry entry{proposals(), std::move(records)};
  records.clear();
  std::string bytes;
  try {
    bytes = encode_journal_entry(entry, log_.options().sealer.get());
  } catch (const store_error& e) {
    refused = e.what();  // a refusal of this batch, not a failure of the journal
    return 0;
  }
  // The journal and the engine's log share the filesystem: no batch is proposed that the
  // journal could not then write (the engine's log takes as much again).
  log_.require_room_for(2 * bytes.size());
  const std::size_t count = entry.records.size(), entry_bytes = bytes.size();
  machine_->expect(entry.proposal, std::move(entry.records));
  auto outcome = std::make_shared<std::promise<std::pair<std::string, uint64_t>>>();
  auto decided = outcome->get_future();
  engine_->propose(std::move(bytes), [outcome](const std::string& error, uint64_t index) {
    outcome->set_value({error, index});
  });
  // An entry that is committed but cannot be written to the journal (its disk failed) keeps
  // the proposal waiting: the engine is asked to apply it again (the state machine recovers
  // the journal first, on the engine's thread, the journal's only writer). A writer that stops
  // meanwhile stops waiting: the batch's outcome is then unknown (it is committed, and applied
  // at the next start).
  while (decided.wait_for(retry_every_) != std::future_status::ready) {
    std::string cause = machine_->failure();
    if (cause.empty())
      continue;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      failure_ = cause;
      if (stopping_) {
        refused = "the journal stopped before this write could be applied (" + cause +
                  "); it is committed and is applied when the master starts again";
        machine_->forget_expected();
        return 0;
      }
    }
    engine_->retry_apply();
  }
  auto [error, index] = decided.get();
  machine_->forget_expected();
  uint64_t first = deliver_applied(error.empty() ? index : 0);
  if (!error.empty()) {
    refused = error;
    return 0;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_.clear();
    stats_.batches += 1;
    stats_.bytes += entry_bytes;
  }
  if (first == 0 && count != 0)
    refused = "the replicated journal applied the write but its records were not found";
  return first;
}

uint64_t journal_writer::deliver_applied(uint64_t index) {
  std::deque<applied_entry> applied;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    applied.swap(applied_);
  }
  uint64_t first = 0;
  for (auto& a : applied) {
    if (a.records.empty())
      continue;
    if (a.index == index)
      first = a.records.front().seq;
    deliver(a.records);
  }
  return first;
}

void journal_writer::deliver(const std::vector<journal_record>& records) {
  if (records.empty())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.records += records.size();
    last_seq_ = records.back().seq;
  }
  for (auto& s : live_) {
    if (s.from <= records.front().seq) {
      s.deliver(records);
    } else if (s.from <= records.back().seq) {
      std::vector<journal_record> tail(records.begin() + (s.from - records.front().seq),
                                       records.end());
      s.deliver(tail);
    }
  }
}

}  // namespace capstan::store
