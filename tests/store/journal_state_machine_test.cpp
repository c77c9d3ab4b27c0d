// Tests store/journal_state_machine.cpp: entries applied to the journal in order with their
// index; the proposer's numbering kept (the bytes stored as proposed) when it follows the
// journal, renumbered when it does not; replayed entries skipped; undecodable entries skipped
// alike on every member; a new log starts counting again.
#include <boost/test/unit_test.hpp>

#include "store/journal_entry.hpp"
#include "store/journal_state_machine.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

struct machine_fixture {
  temp_dir dir;
  std::unique_ptr<event_log> log = event_log::open(dir.str());
  std::vector<std::pair<uint64_t, std::vector<journal_record>>> handed_on;
  journal_state_machine machine{*log, [this](uint64_t index, std::vector<journal_record>&& r) {
                                  handed_on.emplace_back(index, std::move(r));
                                }};
};

std::string entry_of(const std::vector<std::string>& names, uint64_t first_seq) {
  journal_entry entry;
  entry.proposal = 99;
  for (const auto& name : names) {
    entry.records.push_back(created(small_pod(name)));
    entry.records.back().seq = first_seq++;
    entry.records.back().time_nanos = 123;
  }
  return encode_journal_entry(entry, nullptr);
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(entries_numbered_by_the_proposer_are_stored_as_proposed, machine_fixture) {
  BOOST_TEST(machine.apply(3, entry_of({"a", "b"}, 1)).empty());
  BOOST_TEST(machine.apply(5, entry_of({"c"}, 3)).empty());
  BOOST_TEST(log->last_seq() == 3u);
  BOOST_TEST(log->applied_index() == 5u);
  BOOST_TEST(machine.applied_index() == 5u);
  auto records = log->read(1, 3);
  BOOST_TEST(records[2].name == "c");
  BOOST_TEST(records[2].seq == 3u);
  BOOST_TEST(records[2].time_nanos == 123);
  BOOST_REQUIRE(handed_on.size() == 2u);
  BOOST_TEST(handed_on[1].first == 5u);
  BOOST_TEST(handed_on[1].second.front().seq == 3u);
}

BOOST_FIXTURE_TEST_CASE(entries_numbered_otherwise_are_numbered_by_the_journal, machine_fixture) {
  // As after a change of leader: two entries proposed after the same record.
  BOOST_TEST(machine.apply(2, entry_of({"a", "b"}, 1)).empty());
  BOOST_TEST(machine.apply(3, entry_of({"x", "y"}, 1)).empty());
  auto records = log->read(1, 4);
  BOOST_REQUIRE(records.size() == 4u);
  BOOST_TEST(records[2].name == "x");
  BOOST_TEST(records[2].seq == 3u);
  BOOST_TEST(records[3].seq == 4u);
  BOOST_TEST(handed_on[1].second.back().seq == 4u);
}

BOOST_FIXTURE_TEST_CASE(replayed_entries_are_skipped, machine_fixture) {
  BOOST_TEST(machine.apply(4, entry_of({"a"}, 1)).empty());
  BOOST_TEST(machine.apply(4, entry_of({"a"}, 1)).empty());
  BOOST_TEST(machine.apply(2, entry_of({"z"}, 1)).empty());
  BOOST_TEST(log->last_seq() == 1u);
  BOOST_TEST(handed_on.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(undecodable_entries_are_skipped_and_counted, machine_fixture) {
  BOOST_TEST(machine.apply(2, "not an entry").empty());
  std::string damaged = entry_of({"a"}, 1);
  damaged.resize(damaged.size() - 3);
  BOOST_TEST(machine.apply(3, damaged).empty());
  BOOST_TEST(log->last_seq() == 0u);
  BOOST_TEST(log->applied_index() == 3u);
  BOOST_TEST(machine.apply(4, entry_of({"b"}, 1)).empty());
  BOOST_TEST(log->read(1, 1).front().name == "b");
}

BOOST_FIXTURE_TEST_CASE(a_new_log_counts_from_zero, machine_fixture) {
  BOOST_TEST(machine.apply(7, entry_of({"a"}, 1)).empty());
  machine.begin_new_log();
  BOOST_TEST(machine.applied_index() == 0u);
  BOOST_TEST(machine.apply(2, entry_of({"b"}, 2)).empty());
  BOOST_TEST(log->last_seq() == 2u);
  // The journal remembers it across a reopen.
  log.reset();
  auto again = event_log::open(dir.str());
  BOOST_TEST(again->applied_index() == 2u);
}
