// Tests store/raft_log.cpp under the journal_writer (the master's form): a cluster of one
// elects itself, acknowledges appends once they are in the Raft log, applies them to the
// journal with the same sequence numbers as a local journal would, replays on restart without
// adding history, applies at start what was committed but never reached the journal, refuses
// to start on a journal that lost entries the log has forgotten, and never writes a Secret's
// data in clear into the Raft log.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <fstream>
#include <set>
#include <thread>
#include <iterator>

#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "store/secret_sealing.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;
namespace messages = capstan::messages;

namespace {

// One member's data: DATA/journal and DATA/raft, as the master lays them out.
struct member_data {
  temp_dir dir;
  std::string journal() const { return dir.str() + "/journal"; }
  std::string raft() const { return dir.str() + "/raft"; }
};

std::unique_ptr<raft_log> engine_for(const member_data& data, unsigned snapshot_threshold = 128) {
  raft_log_config config;
  config.directory = data.raft();
  config.snapshot_threshold = snapshot_threshold;
  config.snapshot_trailing = snapshot_threshold;
  return std::make_unique<raft_log>(config);
}

event_log_options unsynced() {
  event_log_options options;
  options.sync = false;  // the Raft log is the write-ahead log
  return options;
}

std::vector<journal_record> pods(const std::string& prefix, int n) {
  std::vector<journal_record> out;
  for (int i = 0; i < n; ++i)
    out.push_back(created(small_pod(prefix + std::to_string(i))));
  return out;
}

std::string whole_directory_bytes(const std::string& directory) {
  std::string all;
  for (const auto& f : std::filesystem::recursive_directory_iterator(directory)) {
    if (!f.is_regular_file())
      continue;
    std::ifstream in(f.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_cluster_of_one_leads_and_acknowledges_appends_in_sequence) {
  member_data data;
  auto log = event_log::open(data.journal(), unsynced());
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  std::vector<uint64_t> delivered;
  std::mutex mutex;
  writer.subscribe(1, [&](const std::vector<journal_record>& records) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& r : records)
      delivered.push_back(r.seq);
  });
  uint64_t expected = 1;
  for (int batch = 0; batch < 20; ++batch) {
    auto result = writer.append(pods("p" + std::to_string(batch) + "-", 3));
    BOOST_REQUIRE_MESSAGE(result.ok(), result.error);
    BOOST_TEST(result.first_seq == expected);
    BOOST_TEST(result.last_seq == expected + 2);
    expected += 3;
  }
  BOOST_TEST(log->last_seq() == 60u);
  BOOST_TEST(log->applied_index() > 0u);
  auto records = log->read(1, 60);
  BOOST_REQUIRE(records.size() == 60u);
  BOOST_TEST(records[0].name == "p0-0");
  BOOST_TEST(records[59].name == "p19-2");
  BOOST_TEST(records[0].time_nanos > 0);
  BOOST_TEST(writer.stats().bytes > 0u);
  std::lock_guard<std::mutex> lock(mutex);
  BOOST_REQUIRE(delivered.size() == 60u);
  for (std::size_t i = 0; i < delivered.size(); ++i)
    BOOST_TEST(delivered[i] == i + 1);
}

// The journal's memory figure counts the entries C-Raft holds, and lets them go as snapshots
// truncate the log (a snapshot every 4 entries here). When C-Raft takes each snapshot depends on
// how fast the disk writes the previous one: the figure must fall, not by how much
// (raft_fsm_adapter_test counts exactly).
BOOST_AUTO_TEST_CASE(the_entries_held_in_memory_are_counted_until_a_snapshot_lets_them_go) {
  member_data data;
  auto log = event_log::open(data.journal(), unsynced());
  journal_writer writer(*log, engine_for(data, 4));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  BOOST_TEST(writer.memory().replicated_entries == 0u);
  uint64_t first_entry = 0, previous = 0;
  bool fell = false;
  for (int batch = 0; batch < 400 && !fell; ++batch) {
    auto result = writer.append(pods("p" + std::to_string(batch) + "-", 3));
    BOOST_REQUIRE_MESSAGE(result.ok(), result.error);
    const uint64_t held = writer.memory().replicated_entries;
    if (batch == 0)
      first_entry = held;
    fell = held < previous;
    previous = held;
  }
  BOOST_TEST(first_entry > 0u);
  BOOST_TEST(fell, "400 appends and no snapshot let an entry go");
  BOOST_TEST(writer.memory().total() >= writer.memory().replicated_entries);
}

BOOST_AUTO_TEST_CASE(concurrent_appends_are_each_acknowledged_once) {
  member_data data;
  auto log = event_log::open(data.journal(), unsynced());
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  constexpr int threads = 4, per_thread = 200;
  std::mutex mutex;
  std::set<uint64_t> acknowledged;
  int failed = 0;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = writer.append(pods("t" + std::to_string(t) + "-" + std::to_string(i) + "-", 1));
        std::lock_guard<std::mutex> lock(mutex);
        if (!r.ok())
          ++failed;
        else
          acknowledged.insert(r.first_seq);
      }
    });
  for (auto& t : pool)
    t.join();
  BOOST_TEST(failed == 0);
  BOOST_TEST(acknowledged.size() == std::size_t(threads * per_thread));
  BOOST_TEST(*acknowledged.rbegin() == uint64_t(threads * per_thread));
  // Group commit still groups: fewer Raft entries than appends.
  BOOST_TEST(writer.stats().batches < uint64_t(threads * per_thread));
}

BOOST_AUTO_TEST_CASE(a_restart_replays_the_raft_log_without_adding_history) {
  member_data data;
  {
    auto log = event_log::open(data.journal(), unsynced());
    journal_writer writer(*log, engine_for(data));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    for (int i = 0; i < 10; ++i)
      BOOST_REQUIRE(writer.append(pods("a" + std::to_string(i) + "-", 2)).ok());
  }
  auto log = event_log::open(data.journal(), unsynced());
  BOOST_TEST(log->last_seq() == 20u);
  uint64_t applied = log->applied_index();
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  // The leader's barrier takes an index of the log; no record is added by it or by the replay.
  BOOST_TEST(log->last_seq() == 20u);
  BOOST_TEST(log->applied_index() >= applied);
  auto more = writer.append(pods("b", 1));
  BOOST_REQUIRE(more.ok());
  BOOST_TEST(more.first_seq == 21u);
}

BOOST_AUTO_TEST_CASE(entries_committed_but_not_in_the_journal_are_applied_at_start) {
  // As after a crash between the Raft log's sync and the journal's write: the journal is
  // behind the log (here: empty), and no snapshot let the log forget anything.
  member_data data;
  std::vector<std::string> names;
  {
    auto log = event_log::open(data.journal(), unsynced());
    journal_writer writer(*log, engine_for(data));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    for (int i = 0; i < 5; ++i)
      BOOST_REQUIRE(writer.append(pods("c" + std::to_string(i) + "-", 2)).ok());
  }
  std::filesystem::remove_all(data.journal());
  auto log = event_log::open(data.journal(), unsynced());
  BOOST_TEST(log->last_seq() == 0u);
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  BOOST_TEST(log->last_seq() == 10u);
  auto records = log->read(1, 10);
  BOOST_TEST(records.front().name == "c0-0");
  BOOST_TEST(records.back().name == "c4-1");
}

// The log must have forgotten entries first: appends go on until a snapshot lets some go (when
// C-Raft takes it depends on the disk; twelve appends were once not enough on a loaded machine,
// and the journal rebuilt from a log that still held everything was rightly accepted).
BOOST_AUTO_TEST_CASE(a_journal_behind_the_logs_snapshot_is_refused_at_start) {
  member_data data;
  {
    auto log = event_log::open(data.journal(), unsynced());
    journal_writer writer(*log, engine_for(data, 4));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    uint64_t previous = 0;
    bool forgot = false;
    for (int i = 0; i < 400 && !forgot; ++i) {
      BOOST_REQUIRE(writer.append(pods("d" + std::to_string(i) + "-", 1)).ok());
      const uint64_t held = writer.memory().replicated_entries;
      forgot = held < previous;
      previous = held;
    }
    BOOST_REQUIRE_MESSAGE(forgot, "400 appends and no snapshot let an entry go");
  }
  std::filesystem::remove_all(data.journal());
  auto log = event_log::open(data.journal(), unsynced());
  try {
    journal_writer writer(*log, engine_for(data, 4));
    BOOST_FAIL("a journal that lost entries the log forgot was accepted");
  } catch (const store_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("lost entries") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_new_raft_log_continues_an_existing_journal) {
  // A data directory from before the replicated journal: its records stay, numbering goes on.
  member_data data;
  {
    auto log = event_log::open(data.journal());
    journal_writer local(*log);
    BOOST_REQUIRE(local.append(pods("old", 4)).ok());
  }
  auto log = event_log::open(data.journal(), unsynced());
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  auto r = writer.append(pods("new", 2));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.first_seq == 5u);
  BOOST_TEST(log->read(1, 6).size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_secrets_data_never_reaches_the_raft_log_in_clear) {
  member_data data;
  event_log_options options = unsynced();
  options.sealer = std::make_shared<secret_sealer>(
      std::vector<std::pair<std::string, std::string>>{{"k1", std::string(32, 'k')}});
  const std::string value = "raft-s3cr3t-that-must-not-leak";
  messages::secret s;
  s.metadata.name = "db";
  s.metadata.namespace_ = "default";
  s.metadata.uid = "uid-db";
  s.type = "Opaque";
  s.data["password"] = value;
  {
    auto log = event_log::open(data.journal(), options);
    journal_writer writer(*log, engine_for(data));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    std::vector<journal_record> one{created(s)};
    std::vector<journal_record> seen;
    std::mutex mutex;
    writer.subscribe(1, [&](const std::vector<journal_record>& records) {
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(seen.end(), records.begin(), records.end());
    });
    BOOST_REQUIRE(writer.append(std::move(one)).ok());
    // Subscribers (the read model) get it in clear.
    std::lock_guard<std::mutex> lock(mutex);
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(std::get<messages::secret>(std::get<messages::object_created>(seen[0].event).object)
                   .data.at("password") == value);
  }
  BOOST_TEST(whole_directory_bytes(data.raft()).find(value) == std::string::npos);
  // Replayed into an empty journal (with the key), the Secret opens.
  std::filesystem::remove_all(data.journal());
  auto log = event_log::open(data.journal(), options);
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  auto records = log->read(1, 1);
  BOOST_REQUIRE(records.size() == 1u);
  BOOST_TEST(std::get<messages::secret>(std::get<messages::object_created>(records[0].event).object)
                 .data.at("password") == value);
}

BOOST_AUTO_TEST_CASE(appends_fail_cleanly_once_the_engine_is_gone) {
  member_data data;
  auto log = event_log::open(data.journal(), unsynced());
  auto writer = std::make_unique<journal_writer>(*log, engine_for(data));
  BOOST_REQUIRE(writer->wait_until_leading(std::chrono::seconds(10)));
  BOOST_REQUIRE(writer->append(pods("e", 1)).ok());
  writer.reset();  // commits what was submitted, then stops the engine
  BOOST_TEST(log->last_seq() == 1u);
}

BOOST_AUTO_TEST_CASE(a_journal_fed_by_another_raft_log_counts_again_or_is_refused) {
  member_data data;
  {
    auto log = event_log::open(data.journal(), unsynced());
    journal_writer writer(*log, engine_for(data));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    for (int i = 0; i < 6; ++i)
      BOOST_REQUIRE(writer.append(pods("f" + std::to_string(i) + "-", 1)).ok());
  }
  // Another, shorter Raft log next to this journal: not the one that fed it.
  std::filesystem::remove_all(data.raft());
  {
    member_data other;
    {
      auto log = event_log::open(other.journal(), unsynced());
      journal_writer writer(*log, engine_for(other));
      BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
      BOOST_REQUIRE(writer.append(pods("g", 1)).ok());
    }
    std::filesystem::rename(other.raft(), data.raft());
  }
  {
    auto log = event_log::open(data.journal(), unsynced());
    try {
      journal_writer writer(*log, engine_for(data));
      BOOST_FAIL("a journal was accepted over a Raft log that did not feed it");
    } catch (const store_error& e) {
      BOOST_TEST(std::string(e.what()).find("not the log that fed this journal") !=
                 std::string::npos);
    }
  }
  // No Raft log at all (DATA/raft deleted while stopped): a new one, history and numbering kept.
  std::filesystem::remove_all(data.raft());
  {
    auto log = event_log::open(data.journal(), unsynced());
    journal_writer writer(*log, engine_for(data));
    BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
    auto r = writer.append(pods("h", 1));
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r.first_seq == 7u);
  }
  auto log = event_log::open(data.journal(), unsynced());
  journal_writer writer(*log, engine_for(data));
  BOOST_REQUIRE(writer.wait_until_leading(std::chrono::seconds(10)));
  BOOST_TEST(log->last_seq() == 7u);
  BOOST_TEST(writer.append(pods("i", 1)).first_seq == 8u);
}
