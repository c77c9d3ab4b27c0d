#include "store/journal_state_machine.hpp"

#include <cstdio>

namespace capstan::store {

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

}  // namespace capstan::store
