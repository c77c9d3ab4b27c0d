#include "store/history_index.hpp"

#include <algorithm>
#include <mutex>

#include "store/event_log.hpp"

namespace capstan::store {

namespace {

// Calls `take(seq)` for each of an object's entries within [from, to], in order (all of them,
// or its lifecycle records only).
template <class F>
void for_each_within(const std::vector<uint64_t>& entries, uint64_t from, uint64_t to,
                     bool lifecycle_only, F&& take) {
  // Entries are seq * 2 + flag: those of [from, to] lie in [from * 2, to * 2 + 1]. Sequence
  // numbers stay far below 2^62; bounds past that (to = "the end") are clamped to it.
  constexpr uint64_t largest = uint64_t{1} << 62;
  if (from > largest)
    return;
  to = std::min(to, largest);
  auto begin = std::lower_bound(entries.begin(), entries.end(), from * 2);
  for (auto it = begin; it != entries.end() && *it <= to * 2 + 1; ++it)
    if (!lifecycle_only || (*it & 1) != 0)
      take(*it / 2);
}

// The newest `limit` of `seqs` (sorted) within [from, to].
seq_page newest(const std::vector<uint64_t>& seqs, uint64_t from, uint64_t to, std::size_t limit) {
  auto begin = std::lower_bound(seqs.begin(), seqs.end(), from);
  auto end = std::upper_bound(begin, seqs.end(), to);
  seq_page page;
  if (static_cast<std::size_t>(end - begin) > limit) {
    page.more = true;
    begin = end - static_cast<std::ptrdiff_t>(limit);
  }
  page.seqs.assign(begin, end);
  return page;
}

bool is_lifecycle(const messages::domain_event& event) {
  return std::holds_alternative<messages::object_created>(event) ||
         std::holds_alternative<messages::deletion_requested>(event) ||
         std::holds_alternative<messages::object_deleted>(event);
}

}  // namespace

cause_class classify_cause(std::string_view cause) {
  if (cause.rfind("system:node:", 0) == 0)
    return cause_class::nodes;
  if (cause.rfind("system:", 0) == 0 || cause.empty())
    return cause_class::controllers;
  return cause_class::users;
}

std::string history_index::object_id(messages::object_kind kind, std::string_view namespace_,
                                     std::string_view name) {
  std::string id(1, static_cast<char>(kind));
  id.append(namespace_).push_back('\0');
  id.append(name);
  return id;
}

history_index::record_facts history_index::facts_of(const messages::journal_record& r) {
  return {r.seq, r.time_nanos, r.kind, r.namespace_, r.name, r.cause, is_lifecycle(r.event)};
}

void history_index::build(const event_log& log, uint64_t to) {
  // A batch at a time under the lock: queries and `add` wait no longer than one batch.
  constexpr std::size_t batch = 4096;
  std::vector<record_facts> facts;
  facts.reserve(batch);
  auto flush = [&] {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    for (const auto& f : facts)
      add_locked(f);
    facts.clear();
  };
  auto give_up = [&] {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    failed_ = true;
    waiting_.clear();
    waiting_.shrink_to_fit();
  };
  try {
    log.read(1, to, [&](messages::journal_record&& r) {
      facts.push_back(facts_of(r));
      if (facts.size() == batch)
        flush();
      return !stopping_;
    });
  } catch (...) {
    give_up();
    throw;
  }
  if (stopping_)
    return give_up();
  flush();
  std::unique_lock<std::shared_mutex> lock(mutex_);
  for (const auto& f : waiting_)
    add_locked(f);
  waiting_.clear();
  waiting_.shrink_to_fit();
  ready_ = true;
}

void history_index::add(const std::vector<messages::journal_record>& records) {
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (failed_)
    return;
  for (const auto& r : records)
    if (ready_)
      add_locked(facts_of(r));
    else
      waiting_.push_back(facts_of(r));
}

bool history_index::ready() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return ready_;
}

void history_index::add_locked(const record_facts& r) {
  if (first_seq_ == 0)
    first_seq_ = r.seq;
  else if (r.seq != first_seq_ + times_.size())
    return;  // already added (or not the next: the caller's contract says it cannot be)
  times_.push_back(r.time_nanos);
  classes_.push_back(static_cast<uint8_t>(classify_cause(r.cause)));
  const std::string id = object_id(r.kind, r.namespace_, r.name);
  auto slot = objects_.lower_bound(id);
  if (slot == objects_.end() || slot->first != id)
    slot = objects_.emplace_hint(slot, id, object_records_entry{});
  slot->second.push_back(entry_of(r.seq, r.lifecycle));
  causes_[r.cause].push_back(r.seq);
}

uint64_t history_index::last_seq() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return first_seq_ == 0 ? 0 : first_seq_ + times_.size() - 1;
}

seq_page history_index::object_records(messages::object_kind kind, const std::string& namespace_,
                                       const std::string& name, uint64_t from, uint64_t to,
                                       std::size_t limit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = objects_.find(object_id(kind, namespace_, name));
  if (it == objects_.end())
    return {};
  std::vector<uint64_t> seqs;
  for_each_within(it->second, from, to, false, [&](uint64_t seq) { seqs.push_back(seq); });
  return newest(seqs, from, to, limit);
}

seq_page history_index::cause_records(const std::string& cause, uint64_t from, uint64_t to,
                                      std::size_t limit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = causes_.find(cause);
  return it == causes_.end() ? seq_page{} : newest(it->second, from, to, limit);
}

seq_page history_index::lifecycle_records(std::string_view name_part,
                                          std::optional<messages::object_kind> kind,
                                          uint64_t from, uint64_t to, std::size_t limit) const {
  std::vector<uint64_t> found;
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [id, entry] : objects_) {
      if (kind && static_cast<messages::object_kind>(id[0]) != *kind)
        continue;
      auto name = std::string_view(id).substr(id.find('\0', 1) + 1);  // id[0] is the kind
      if (name.find(name_part) == std::string_view::npos)
        continue;
      for_each_within(entry, from, to, true, [&](uint64_t seq) { found.push_back(seq); });
    }
  }
  std::sort(found.begin(), found.end());
  return newest(found, from, to, limit);
}

seq_page history_index::lifecycle_records_by_prefix(messages::object_kind kind,
                                                    const std::string& namespace_,
                                                    const std::string& name_prefix, uint64_t from,
                                                    uint64_t to, std::size_t limit) const {
  const std::string prefix = object_id(kind, namespace_, name_prefix);
  std::vector<uint64_t> found;
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      for_each_within(it->second, from, to, true, [&](uint64_t seq) { found.push_back(seq); });
    }
  }
  std::sort(found.begin(), found.end());
  return newest(found, from, to, limit);
}

std::vector<time_bucket> history_index::timeline(uint64_t from, uint64_t to,
                                                 std::size_t count) const {
  std::vector<time_bucket> buckets;
  int64_t start = 0, end = 0;
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    if (first_seq_ == 0 || count == 0)
      return buckets;
    const uint64_t last = first_seq_ + times_.size() - 1;
    from = std::max(from, first_seq_);
    to = std::min(to, last);
    if (from > to)
      return buckets;
    // Commit times may step back a little after a change of leader: a time outside
    // [start, end] counts in the first or last interval.
    start = times_[from - first_seq_];
    end = std::max(start, times_[to - first_seq_]);
  }
  const int64_t span = std::max<int64_t>(end - start, 1);
  buckets.resize(count);
  for (std::size_t i = 0; i < count; ++i)
    buckets[i].start_nanos = start + static_cast<int64_t>(static_cast<__int128>(span) * i / count);
  // A slice at a time under the lock, so that the commit thread's `add` never waits long.
  constexpr uint64_t slice = 65536;
  for (uint64_t begin = from; begin <= to; begin += slice) {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (uint64_t seq = begin; seq <= std::min(to, begin + slice - 1); ++seq) {
      const int64_t t = std::clamp(times_[seq - first_seq_], start, end);
      auto i = std::min<std::size_t>(
          static_cast<std::size_t>(static_cast<__int128>(t - start) * count / span), count - 1);
      auto& b = buckets[i];
      if (b.first_seq == 0)
        b.first_seq = seq;
      b.last_seq = seq;
      ++b.counts[classes_[seq - first_seq_]];
    }
  }
  return buckets;
}

uint64_t history_index::seq_at_time(int64_t nanos) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  // Commit times only grow on one leader; after a change of leader, clocks may differ a little
  // and the binary search then lands on one of the records around the step back.
  auto it = std::partition_point(times_.begin(), times_.end(),
                                 [&](int64_t t) { return t <= nanos; });
  return it == times_.begin() ? 0 : first_seq_ + static_cast<uint64_t>(it - times_.begin()) - 1;
}

int64_t history_index::time_of(uint64_t seq) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  if (first_seq_ == 0 || seq < first_seq_ || seq >= first_seq_ + times_.size())
    return 0;
  return times_[seq - first_seq_];
}

}  // namespace capstan::store
