// Tests store/event_log.cpp: sequence assignment, durable reopen, ordered reads, and clear
// errors for corrupt records and gaps.
#include <boost/test/unit_test.hpp>

#include "store/event_log.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

BOOST_AUTO_TEST_CASE(appends_get_consecutive_sequence_numbers_that_survive_reopen) {
  temp_dir dir;
  {
    auto log = event_log::open(dir.str());
    BOOST_TEST(log->last_seq() == 0u);
    std::vector<journal_record> batch;
    for (int i = 0; i < 300; ++i)
      batch.push_back(created(small_pod("p" + std::to_string(i))));
    log->append(batch);
    BOOST_TEST(batch.front().seq == 1u);
    BOOST_TEST(batch.back().seq == 300u);
    BOOST_TEST(batch.back().time_nanos > 0);
    std::vector<journal_record> more{created(small_node("node1"))};
    log->append(more);
    BOOST_TEST(more[0].seq == 301u);
  }
  auto log = event_log::open(dir.str());
  BOOST_TEST(log->last_seq() == 301u);
  // Big-endian keys: record 256 follows 255, not 1.
  auto records = log->read(1, 301);
  BOOST_REQUIRE(records.size() == 301u);
  for (std::size_t i = 0; i < records.size(); ++i)
    BOOST_TEST(records[i].seq == i + 1);
  BOOST_TEST(records[255].name == "p255");
  BOOST_TEST(records[300].kind == object_kind::node);
  BOOST_TEST(records[0].cause == "admin");
  auto window = log->read(250, 260);
  BOOST_TEST(window.size() == 11u);
  BOOST_TEST(window.front().seq == 250u);
}

BOOST_AUTO_TEST_CASE(reads_stop_when_the_visitor_says_so) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch;
  for (int i = 0; i < 10; ++i)
    batch.push_back(created(small_pod("p" + std::to_string(i))));
  log->append(batch);
  int seen = 0;
  log->read(1, 10, [&](journal_record&&) { return ++seen < 3; });
  BOOST_TEST(seen == 3);
}

BOOST_AUTO_TEST_CASE(records_named_by_number_come_in_the_order_asked) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch;
  for (int i = 0; i < 600; ++i)  // more than one batch of point reads
    batch.push_back(created(small_pod("p" + std::to_string(i))));
  log->append(batch);
  std::vector<uint64_t> wanted;
  for (uint64_t seq = 600; seq >= 1; seq -= 2)
    wanted.push_back(seq);
  wanted.insert(wanted.begin() + 1, 600);  // twice in one batch of reads
  wanted.push_back(300);                    // and in another
  std::vector<std::string> names;
  log->read_each(wanted, [&](journal_record&& r) {
    names.push_back(r.name);
    BOOST_TEST(r.seq == wanted[names.size() - 1]);
    return true;
  });
  BOOST_REQUIRE(names.size() == wanted.size());
  BOOST_TEST(names.front() == "p599");
  BOOST_TEST(names[1] == "p599");
  BOOST_TEST(names[2] == "p597");
  BOOST_TEST(names.back() == "p299");
  int seen = 0;
  log->read_each(wanted, [&](journal_record&&) { return ++seen < 3; });
  BOOST_TEST(seen == 3);
  try {
    log->read_each({5, 601}, [](journal_record&&) { return true; });
    BOOST_FAIL("expected store_error");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("no record 601") != std::string::npos);
  }
  log->put_raw_record_for_test(7, "this is not a capnp message");
  BOOST_CHECK_THROW(log->read_each({7}, [](journal_record&&) { return true; }), store_error);
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_is_an_error_naming_its_sequence_number) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch{created(small_pod("a")), created(small_pod("b"))};
  log->append(batch);
  log->put_raw_record_for_test(2, "this is not a capnp message");
  try {
    log->read(1, 2);
    BOOST_FAIL("expected store_error");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("journal record 2") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("corrupt") != std::string::npos);
  }
  // A valid record stored under the wrong key is corrupt too.
  auto misplaced = created(small_pod("c"));
  misplaced.seq = 7;
  log->put_raw_record_for_test(2, encode_record(misplaced));
  BOOST_CHECK_THROW(log->read(1, 2), store_error);
}

BOOST_AUTO_TEST_CASE(a_missing_record_is_an_error_not_a_silent_skip) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch{created(small_pod("a"))};
  log->append(batch);
  auto orphan = created(small_pod("c"));
  orphan.seq = 3;
  log->put_raw_record_for_test(3, encode_record(orphan));
  try {
    log->read(1, 3);
    BOOST_FAIL("expected store_error");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("missing record 2") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(unsynced_mode_appends_and_reads_the_same) {
  temp_dir dir;
  auto log = event_log::open(dir.str(), event_log_options{false});
  std::vector<journal_record> batch{created(small_pod("a"))};
  log->append(batch);
  BOOST_TEST(log->read(1, 1).at(0).name == "a");
}

BOOST_AUTO_TEST_CASE(a_directory_that_cannot_hold_a_journal_is_an_error) {
  BOOST_CHECK_THROW(event_log::open("/proc/capstan-cannot-be-here"), store_error);
}
