// Tests store/restore.cpp: snapshot + tail equals replay from genesis equals the live state,
// and any past point can be reconstructed.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "store/restore.hpp"
#include "tests/store/records.hpp"
#include "tests/store/state_dump.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

// Appends a seeded random history of pod, node and rc events, applying each committed batch
// to `live` exactly as the master does.
void random_history(event_log& log, cluster_state& live, std::mt19937& rng, int steps) {
  std::vector<std::string> pods;
  for (int step = 0; step < steps; ++step) {
    std::vector<journal_record> batch;
    int choice = rng() % 6;
    if (choice <= 1 || pods.empty()) {
      std::string name = "pod-" + std::to_string(live.seq) + "-" + std::to_string(step);
      pods.push_back(name);
      batch.push_back(created(small_pod(name)));
    } else if (choice == 2) {
      const auto& name = pods[rng() % pods.size()];
      batch.push_back(record_for(small_pod(name), pod_bound{"node" + std::to_string(rng() % 5)}));
    } else if (choice == 3) {
      const auto& name = pods[rng() % pods.size()];
      pod_status s;
      s.phase = "Running";
      s.pod_ip = "10.1.0." + std::to_string(rng() % 250);
      batch.push_back(record_for(small_pod(name), pod_status_changed{s}));
    } else if (choice == 4) {
      std::size_t i = rng() % pods.size();
      batch.push_back(record_for(small_pod(pods[i]), object_deleted{"test"}));
      pods.erase(pods.begin() + i);
    } else {
      std::string name = "node-" + std::to_string(step);
      batch.push_back(created(small_node(name)));
      batch.push_back(record_for(small_node(name), node_ready_changed{true, "KubeletReady", ""}));
    }
    log.append(batch);
    for (const auto& r : batch)
      apply(live, r);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(snapshot_plus_tail_equals_genesis_replay_equals_live_state) {
  temp_dir dir;
  std::mt19937 rng(20261121);
  cluster_state live;
  {
    auto log = event_log::open(dir.str());
    random_history(*log, live, rng, 1500);
    write_snapshot(*log, live);
    random_history(*log, live, rng, 700);
  }
  auto log = event_log::open(dir.str());
  restore_stats stats;
  cluster_state restored = restore(*log, &stats);
  BOOST_TEST(stats.snapshot_seq > 0u);
  BOOST_TEST(stats.replayed_records == log->last_seq() - stats.snapshot_seq);
  BOOST_TEST(restored.seq == live.seq);
  BOOST_TEST(dump(restored) == dump(live));
  cluster_state replayed = state_at(*log, log->last_seq());
  BOOST_TEST(dump(replayed) == dump(live));
}

BOOST_AUTO_TEST_CASE(restore_without_a_snapshot_replays_everything) {
  temp_dir dir;
  std::mt19937 rng(7);
  cluster_state live;
  auto log = event_log::open(dir.str());
  random_history(*log, live, rng, 300);
  restore_stats stats;
  auto restored = restore(*log, &stats);
  BOOST_TEST(stats.snapshot_seq == 0u);
  BOOST_TEST(stats.replayed_records == log->last_seq());
  BOOST_TEST(dump(restored) == dump(live));
}

BOOST_AUTO_TEST_CASE(history_shows_objects_that_no_longer_exist) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<journal_record> batch{created(small_pod("short-lived"))};
  log->append(batch);
  std::vector<journal_record> del{record_for(small_pod("short-lived"), object_deleted{})};
  log->append(del);
  BOOST_TEST(state_at(*log, 1).find<pod>({"default", "short-lived"}) != nullptr);
  BOOST_TEST(state_at(*log, 2).find<pod>({"default", "short-lived"}) == nullptr);
  BOOST_CHECK_THROW(state_at(*log, 3), store_error);
}

BOOST_AUTO_TEST_CASE(only_the_newest_snapshots_are_kept) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  std::mt19937 rng(3);
  uint64_t first = 0;
  for (int i = 0; i < 4; ++i) {
    random_history(*log, live, rng, 50);
    write_snapshot(*log, live);
    if (i == 0)
      first = live.seq;
  }
  auto newest = log->latest_snapshot();
  BOOST_REQUIRE(newest.has_value());
  BOOST_TEST(newest->seq == live.seq);
  BOOST_TEST(newest->object_count == live.size());
  BOOST_CHECK_THROW(log->load_snapshot({first, 0, 1, 1}), store_error);
}

BOOST_AUTO_TEST_CASE(a_past_moment_starts_from_the_newest_snapshot_before_it) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  std::mt19937 rng(11);
  std::vector<std::pair<uint64_t, std::vector<std::string>>> moments;  // seq -> state then
  for (int i = 0; i < 4; ++i) {
    random_history(*log, live, rng, 60);
    moments.push_back({live.seq, dump(live)});
    write_snapshot(*log, live, 3);  // the first is dropped by the fourth
    random_history(*log, live, rng, 10);
    moments.push_back({live.seq, dump(live)});
  }
  BOOST_TEST(!log->snapshot_at_or_before(moments[0].first - 1).has_value());
  BOOST_TEST(!log->snapshot_at_or_before(moments[1].first).has_value());  // dropped
  auto second = log->snapshot_at_or_before(moments[3].first);
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->seq == moments[2].first);
  BOOST_TEST(log->snapshot_at_or_before(moments[2].first)->seq == moments[2].first);
  BOOST_TEST(log->snapshot_at_or_before(UINT64_MAX - 1)->seq == moments[6].first);
  // Every moment, before, at and after snapshots, is what the live state was then.
  for (const auto& [seq, then] : moments)
    BOOST_TEST(dump(state_at(*log, seq)) == then, "record " << seq);
  for (uint64_t seq : {uint64_t{1}, moments[2].first - 1, moments[2].first + 1})
    BOOST_TEST(state_at(*log, seq).seq == seq);
}

BOOST_AUTO_TEST_CASE(a_corrupt_record_in_the_tail_stops_restore_with_its_number) {
  temp_dir dir;
  std::mt19937 rng(11);
  cluster_state live;
  {
    auto log = event_log::open(dir.str());
    random_history(*log, live, rng, 400);
    write_snapshot(*log, live);
    random_history(*log, live, rng, 1200);
    // Well past the snapshot and several read-ahead batches (256 records) into the tail.
    log->put_raw_record_for_test(live.seq + 1, "this is not a capnp message");
  }
  auto log = event_log::open(dir.str());
  try {
    restore(*log);
    BOOST_FAIL("a corrupt record was replayed");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("record " + std::to_string(live.seq + 1)) !=
               std::string::npos);
    BOOST_TEST(std::string(e.what()).find("corrupt") != std::string::npos);
  }
  // The state up to the record before it still rebuilds.
  BOOST_TEST(dump(state_at(*log, live.seq)) == dump(live));
}

namespace {

event_log_options unsynced() {
  event_log_options options;
  options.sync = false;
  return options;
}

// Appends `count` records (pods created, bound, and running, in turn) to an unsynced log in
// large batches, applying them to `live`.
void long_history(event_log& log, cluster_state& live, int count) {
  std::vector<journal_record> batch;
  for (int i = 0; i < count; ++i) {
    const auto pod_name = "pod-" + std::to_string(i / 3);
    if (i % 3 == 0) {
      batch.push_back(created(small_pod(pod_name)));
    } else if (i % 3 == 1) {
      batch.push_back(record_for(small_pod(pod_name), pod_bound{"node" + std::to_string(i % 7)}));
    } else {
      pod_status running;
      running.phase = "Running";
      batch.push_back(record_for(small_pod(pod_name), pod_status_changed{running}));
    }
    if (batch.size() == 1000 || i + 1 == count) {
      log.append(batch);
      for (const auto& r : batch)
        apply(live, r);
      batch.clear();
    }
  }
}

}  // namespace

// A replay of 40,000 records reads as a long read (store/event_log_detail.hpp's options).
BOOST_AUTO_TEST_CASE(a_long_replay_equals_the_live_state) {
  temp_dir dir;
  cluster_state live;
  auto log = event_log::open(dir.str(), unsynced());
  long_history(*log, live, 40000);
  restore_stats stats;
  cluster_state restored = restore(*log, &stats);
  BOOST_TEST(stats.replayed_records == 40000u);
  BOOST_TEST(restored.seq == 40000u);
  BOOST_TEST(dump(restored) == dump(live));
  // A moment rebuilt from genesis, a long read that ends before the journal does: record 35,000
  // bound pod-11666 (record 34,999 created it), and its status came after.
  cluster_state then = state_at(*log, 35000);
  BOOST_TEST(then.seq == 35000u);
  BOOST_TEST(then.of(object_kind::pod).size() == 11667u);
  const pod* last = then.find<pod>({"default", "pod-11666"});
  BOOST_REQUIRE(last != nullptr);
  BOOST_TEST(last->spec.node_name == "node6");
  BOOST_TEST(last->status.phase == "Pending");  // as created
  BOOST_TEST(live.find<pod>({"default", "pod-11666"})->status.phase == "Running");
}

namespace {

// The names of the files in `directory` that end in `suffix`.
std::vector<std::string> files_ending_in(const std::string& directory, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(name);
  }
  return out;
}

// Creates 2,500 pods in `log` and `live` (three snapshot chunks of at most 1,000 objects) and
// writes a snapshot of them.
void snapshot_of_2500_pods(event_log& log, cluster_state& live) {
  std::vector<journal_record> batch;
  for (int i = 0; i < 2500; ++i)
    batch.push_back(created(small_pod("pod-" + std::to_string(i))));
  log.append(batch);
  for (const auto& r : batch)
    apply(live, r);
  write_snapshot(log, live);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_snapshot_of_many_chunks_is_taken_in_whole_and_survives_a_reopen) {
  temp_dir dir;
  cluster_state live;
  {
    auto log = event_log::open(dir.str());
    snapshot_of_2500_pods(*log, live);
    BOOST_TEST(files_ending_in(dir.str(), ".staged").empty());  // taken in, not left behind
    auto manifest = log->latest_snapshot();
    BOOST_REQUIRE(manifest.has_value());
    BOOST_TEST(manifest->chunk_count == 3u);
    BOOST_TEST(manifest->object_count == live.size());
  }
  auto log = event_log::open(dir.str());
  restore_stats stats;
  cluster_state restored = restore(*log, &stats);
  BOOST_TEST(stats.snapshot_seq == live.seq);
  BOOST_TEST(stats.replayed_records == 0u);
  BOOST_TEST(dump(restored) == dump(live));
}

// The chunks are decoded on threads of their own: a chunk that is not there stops the load
// with its number after the chunks before it were loaded, and a count of objects other than the
// manifest's is refused.
BOOST_AUTO_TEST_CASE(a_snapshot_missing_a_chunk_or_an_object_is_refused_after_what_came_before) {
  temp_dir dir;
  cluster_state live;
  auto log = event_log::open(dir.str());
  snapshot_of_2500_pods(*log, live);
  const auto manifest = log->latest_snapshot();
  BOOST_REQUIRE(manifest.has_value());

  auto more_chunks = *manifest;
  more_chunks.chunk_count = 6;
  cluster_state partial;
  try {
    load_snapshot(partial, *log, more_chunks);
    BOOST_FAIL("a snapshot with missing chunks was loaded");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("chunk 3") != std::string::npos, e.what());
  }
  BOOST_TEST(partial.size() == 2500u);  // the three chunks before the missing one

  auto one_more_object = *manifest;
  one_more_object.object_count += 1;
  cluster_state counted;
  try {
    load_snapshot(counted, *log, one_more_object);
    BOOST_FAIL("a snapshot short of its manifest's objects was loaded");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what()).find("its manifest says 2501") != std::string::npos,
               e.what());
  }

  cluster_state whole;
  load_snapshot(whole, *log, *manifest);
  BOOST_TEST(dump(whole) == dump(live));
}

BOOST_AUTO_TEST_CASE(a_snapshot_a_crash_left_staged_is_removed_at_open_and_never_read) {
  temp_dir dir;
  cluster_state live;
  std::mt19937 rng(5);
  {
    auto log = event_log::open(dir.str());
    random_history(*log, live, rng, 100);
    write_snapshot(*log, live);
  }
  const std::string staged = dir.str() + "/snapshot-" + std::to_string(live.seq + 50) +
                             ".sst.staged";
  {
    std::ofstream out(staged);
    out << "half a table file";
  }
  auto log = event_log::open(dir.str());
  BOOST_TEST(!std::filesystem::exists(staged));
  BOOST_TEST(log->latest_snapshot()->seq == live.seq);
  BOOST_TEST(dump(restore(*log)) == dump(live));
}
