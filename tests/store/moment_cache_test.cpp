// Tests store/moment_cache.cpp: every moment it gives is the state a replay from the first record
// gives; the kept moment moves forward when it can, is rebuilt when a snapshot or an earlier moment
// makes that quicker or necessary, and is dropped once unused.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "store/moment_cache.hpp"
#include "store/restore.hpp"  // write_snapshot
#include "tests/store/records.hpp"
#include "tests/store/state_dump.hpp"

using namespace capstan::store;
using namespace capstan::test;
using namespace std::chrono_literals;

namespace {

// Appends `n` records: pods created, bound, some deleted; applies them to `live`.
void grow(event_log& log, cluster_state& live, int n) {
  for (int i = 0; i < n; ++i) {
    const std::string name = "pod-" + std::to_string(live.seq / 3);
    std::vector<journal_record> batch;
    switch (live.seq % 3) {
      case 0: batch.push_back(created(small_pod(name))); break;
      case 1: batch.push_back(record_for(small_pod(name), pod_bound{"node1"})); break;
      default:
        if (live.seq % 2)
          batch.push_back(record_for(small_pod(name), object_deleted{}));
        else
          batch.push_back(record_for(small_pod(name), pod_bound{"node2"}));
    }
    log.append(batch);
    apply(live, batch.front());
  }
}

// The state after `seq` replayed from the first record (no snapshot), for comparison.
cluster_state replayed_to(const event_log& log, uint64_t seq) {
  cluster_state state;
  log.read(1, seq, [&](journal_record&& r) {
    apply(state, std::move(r));
    return true;
  });
  return state;
}

// A journal of `records` records made by grow().
struct grown_journal {
  temp_dir dir;
  std::unique_ptr<event_log> log = event_log::open(dir.str());
  cluster_state live;
  explicit grown_journal(int records) { grow(*log, live, records); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(moments_equal_the_rebuilt_state_and_move_forward_from_the_kept_one) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  grow(*log, live, 300);
  write_snapshot(*log, live, 5);
  const uint64_t snapshot = live.seq;
  grow(*log, live, 300);
  moment_cache moments(*log, 1h);
  moment_stats stats;
  auto check = [&](uint64_t seq) {
    bool used = false;
    moments.with_state_at(seq, [&](const cluster_state& state) {
      used = true;
      BOOST_TEST(state.seq == seq);
      BOOST_TEST(dump(state) == dump(replayed_to(*log, seq)), "record " << seq);
    }, &stats);
    BOOST_TEST(used);
  };
  check(100);  // before the snapshot: from the first record
  BOOST_TEST(!stats.from_kept);
  BOOST_TEST(stats.start_seq == 0u);
  BOOST_TEST(stats.replayed_records == 100u);
  check(150);  // forward: the kept moment, 50 records on
  BOOST_TEST(stats.from_kept);
  BOOST_TEST(stats.replayed_records == 50u);
  check(150);  // the same moment again: nothing replayed
  BOOST_TEST(stats.from_kept);
  BOOST_TEST(stats.replayed_records == 0u);
  check(120);  // back: rebuilt
  BOOST_TEST(!stats.from_kept);
  check(snapshot + 20);  // past a snapshot: the snapshot is nearer than the kept moment
  BOOST_TEST(!stats.from_kept);
  BOOST_TEST(stats.start_seq == snapshot);
  BOOST_TEST(stats.replayed_records == 20u);
  check(live.seq);
  BOOST_TEST(stats.from_kept);
  BOOST_TEST(moments.kept_seq() == live.seq);
  BOOST_CHECK_THROW(moments.with_state_at(live.seq + 1, [](const cluster_state&) {}),
                    store_error);
}

BOOST_AUTO_TEST_CASE(a_failed_rebuild_keeps_nothing_and_the_next_one_works) {
  grown_journal journal(50);
  auto& log = journal.log;
  moment_cache moments(*log, 1h);
  moments.with_state_at(10, [](const cluster_state&) {});
  BOOST_TEST(moments.kept_seq() == 10u);
  const auto good = encode_record(log->read(30, 30).front());
  log->put_raw_record_for_test(30, "this is not a capnp message");
  BOOST_CHECK_THROW(moments.with_state_at(40, [](const cluster_state&) {}), store_error);
  BOOST_TEST(moments.kept_seq() == 0u);
  log->put_raw_record_for_test(30, good);
  moments.with_state_at(40, [&](const cluster_state& state) {
    BOOST_TEST(dump(state) == dump(replayed_to(*log, 40)));
  });
}

BOOST_AUTO_TEST_CASE(an_unused_moment_is_dropped) {
  grown_journal journal(20);
  moment_cache moments(*journal.log, 50ms);
  moments.with_state_at(20, [](const cluster_state&) {});
  BOOST_TEST(moments.kept_seq() == 20u);  // kept (a drop at once would pass the loop below)
  // Dropped between 50 and 100 ms after its last use; the deadline only bounds a failure.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (moments.kept_seq() != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  BOOST_TEST(moments.kept_seq() == 0u);
  bool used = false;
  moments.with_state_at(5, [&](const cluster_state& state) { used = state.seq == 5; });
  BOOST_TEST(used);
}

BOOST_AUTO_TEST_CASE(rebuilds_beyond_the_few_waiting_are_refused_quick_moments_wait) {
  grown_journal journal(20);
  // Each cache's one caller at work stays inside `use` until released.
  auto refusal = [](moment_cache& moments, uint64_t asked_seq) {
    std::promise<void> inside, release;
    std::thread holder([&] {
      moments.with_state_at(10, [&](const cluster_state&) {
        inside.set_value();
        release.get_future().wait();
      });
    });
    inside.get_future().wait();
    std::string answer = "served";
    const auto asked = std::chrono::steady_clock::now();
    try {
      moments.with_state_at(asked_seq, [](const cluster_state&) {});
    } catch (const moments_busy& e) {
      answer = e.what();
    }
    const auto waited = std::chrono::steady_clock::now() - asked;
    release.set_value();
    holder.join();
    return std::make_pair(answer, waited);
  };
  // Record 5 is before the kept moment (10): a rebuild, refused at once.
  moment_cache none_wait(*journal.log, 1h, 0, 100ms);
  auto [refused, _] = refusal(none_wait, 5);
  BOOST_TEST(refused.find("wait already") != std::string::npos, refused);
  // Record 12 is 2 records after the kept moment: quick, so it waits (here, in vain).
  auto [quick_waited, quick_wait] = refusal(none_wait, 12);
  BOOST_TEST(quick_waited.find("none was free within 100 ms") != std::string::npos, quick_waited);
  BOOST_TEST((quick_wait >= 100ms));
  moment_cache one_waits(*journal.log, 1h, 1, 100ms);
  auto [timed_out, waited] = refusal(one_waits, 5);
  BOOST_TEST(timed_out.find("none was free within 100 ms") != std::string::npos, timed_out);
  BOOST_TEST((waited >= 100ms));
  // Once the one at work is done, the next is served.
  bool used = false;
  one_waits.with_state_at(5, [&](const cluster_state& state) { used = state.seq == 5; });
  BOOST_TEST(used);
}
