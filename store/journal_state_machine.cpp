#include "store/journal_state_machine.hpp"

#include <cstdio>
#include <cstring>

namespace capstan::store {

namespace {

constexpr std::size_t frame_header_bytes = 12;

void put_le(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return value;
}

}  // namespace

journal_state_machine::journal_state_machine(event_log& log, applied_sink sink)
    : log_(log), sink_(std::move(sink)) {}

void journal_state_machine::expect(uint64_t proposal, std::vector<journal_record> records) {
  std::lock_guard<std::mutex> lock(expected_mutex_);
  expected_ = journal_entry{proposal, std::move(records)};
}

void journal_state_machine::forget_expected() {
  std::lock_guard<std::mutex> lock(expected_mutex_);
  expected_.reset();
}

std::string journal_state_machine::apply(uint64_t index, std::string_view entry) {
  if (index <= log_.applied_index())
    return "";  // applied before a restart: the engine replays from its last snapshot
  journal_entry_view view;
  std::vector<journal_record> records;
  try {
    view = parse_journal_entry(entry);
    {
      std::lock_guard<std::mutex> lock(expected_mutex_);
      if (expected_ && expected_->proposal == view.proposal &&
          expected_->records.size() == view.records.size()) {
        records = std::move(expected_->records);  // the proposer's own, in clear
        expected_.reset();
      }
    }
    if (records.empty() && !view.records.empty()) {
      records = decode_journal_entry(entry).records;
      for (auto& r : records)
        log_.open_sealed_record(r);
    }
  } catch (const store_error& e) {
    // Every member decodes the same bytes the same way, so every member skips it alike.
    std::fprintf(stderr, "capstan: replicated journal entry %llu skipped: %s\n",
                 static_cast<unsigned long long>(index), e.what());
    view.records.clear();
    records.clear();
  }
  try {
    // After a failed write: the journal is made writable again (and the failed write's
    // remains dropped) here, on the journal's only writing thread.
    bool failed_before;
    {
      std::lock_guard<std::mutex> lock(expected_mutex_);
      failed_before = !failure_.empty();
    }
    if (failed_before)
      log_.recover();
    // The proposer numbered the records after the last one it had applied: when that is this
    // journal's next number too (always, but after a change of leader with entries in
    // flight), the encoded records are stored as they are; else they are numbered here.
    bool as_numbered = !records.empty() && records.front().seq == log_.last_seq() + 1;
    for (std::size_t i = 0; as_numbered && i < records.size(); ++i)
      as_numbered = records[i].seq == records.front().seq + i;
    if (as_numbered) {
      log_.append_encoded(records, view.records, index);
    } else {
      for (auto& r : records)
        r.seq = 0;
      log_.append(records, index);
    }
  } catch (const store_error& e) {
    std::lock_guard<std::mutex> lock(expected_mutex_);
    failure_ = e.what();
    return failure_;  // the retry decodes the entry again: the same records
  }
  {
    std::lock_guard<std::mutex> lock(expected_mutex_);
    failure_.clear();
  }
  sink_(index, std::move(records));
  return "";
}

std::string journal_state_machine::failure() const {
  std::lock_guard<std::mutex> lock(expected_mutex_);
  return failure_;
}

uint64_t journal_state_machine::applied_index() const {
  return log_.applied_index();
}

void journal_state_machine::begin_new_log() {
  if (log_.applied_index() != 0)
    log_.set_applied_index(0);
}

std::string journal_state_machine::make_durable() {
  try {
    log_.make_durable();
  } catch (const store_error& e) {
    return e.what();
  }
  return "";
}

std::string journal_state_machine::snapshot_data() const {
  std::string out;
  put_le(out, log_.last_seq(), 8);
  return out;
}

std::string journal_state_machine::read_for_peer(uint64_t& next, uint64_t to,
                                                 std::size_t budget) const {
  std::string out;
  to = std::min(to, log_.last_seq());
  log_.read_stored(next, to, [&](uint64_t seq, std::string_view stored) {
    put_le(out, seq, 8);
    put_le(out, stored.size(), 4);
    out.append(stored);
    next = seq + 1;
    return out.size() < budget;
  });
  return out;
}

std::string journal_state_machine::restore_snapshot(uint64_t index, std::string_view data,
                                                    const peer_fetch& fetch) {
  if (log_.applied_index() >= index)
    return "";
  if (data.size() != 8)
    return "the snapshot at entry " + std::to_string(index) +
           " does not say where the journal stood (a snapshot of an older build): this member "
           "cannot catch up past it";
  const uint64_t last_seq = get_le(data, 0, 8);
  if (log_.last_seq() > last_seq)
    return "the journal holds records up to " + std::to_string(log_.last_seq()) +
           " from entries up to " + std::to_string(log_.applied_index()) +
           ", but the snapshot at entry " + std::to_string(index) + " stands for records up to " +
           std::to_string(last_seq) + ": this journal is not the cluster's";
  try {
    if (log_.last_seq() < last_seq) {
      std::string error = fetch(log_.last_seq() + 1, last_seq, [&](std::string_view chunk) {
        return take_fetched(chunk, last_seq, index);
      });
      if (!error.empty())
        return error;
      if (log_.last_seq() != last_seq)
        return "the member ended the transfer at record " + std::to_string(log_.last_seq()) +
               " of " + std::to_string(last_seq);
    }
    // The Raft log forgot the entries these records came from: the journal is their only copy
    // on this member from now on.
    log_.set_applied_index(index);
    log_.make_durable();
  } catch (const store_error& e) {
    return e.what();
  }
  return "";
}

std::string journal_state_machine::take_fetched(std::string_view chunk, uint64_t last_seq,
                                                uint64_t index) {
  std::vector<journal_record> records;
  std::vector<std::string_view> encoded;
  for (std::size_t at = 0; at < chunk.size();) {
    if (chunk.size() - at < frame_header_bytes)
      return "a fetched chunk ends inside a frame";
    const uint64_t seq = get_le(chunk, at, 8);
    const uint64_t length = get_le(chunk, at + 8, 4);
    at += frame_header_bytes;
    if (length > chunk.size() - at)
      return "a fetched record runs past its chunk";
    if (seq != log_.last_seq() + 1 + records.size() || seq > last_seq)
      return "the member sent record " + std::to_string(seq) + " where record " +
             std::to_string(log_.last_seq() + 1 + records.size()) + " was due";
    std::string_view stored = chunk.substr(at, length);
    at += length;
    try {
      records.push_back(decode_stored_record(seq, stored, log_.directory()));
      log_.open_sealed_record(records.back());
    } catch (const store_error& e) {
      return e.what();
    }
    encoded.push_back(stored);
  }
  try {
    // The applied index stays where it was until the last record is in: an interrupted catch-up
    // goes on at the next start, from the records it has.
    log_.append_encoded(records, encoded, log_.applied_index());
  } catch (const store_error& e) {
    try {
      log_.recover();  // writable again for the next attempt if the cause is gone
    } catch (const store_error&) {
    }
    return e.what();
  }
  sink_(index, std::move(records));
  return "";
}

}  // namespace capstan::store
