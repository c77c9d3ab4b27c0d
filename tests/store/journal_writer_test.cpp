// Tests store/journal_writer.cpp: group commit under concurrency, ordered completions, and
// subscriptions that catch up from the log and continue live with no gap or repeat.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <future>
#include <set>
#include <thread>

#include "store/journal_writer.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

// Collects delivered sequence numbers; lets a test wait until it has `n` of them.
struct collector {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<uint64_t> seqs;

  journal_writer::subscriber sink() {
    return [this](const std::vector<journal_record>& records) {
      std::lock_guard<std::mutex> lock(mutex);
      for (const auto& r : records)
        seqs.push_back(r.seq);
      changed.notify_all();
    };
  }
  std::vector<uint64_t> wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    bool done = changed.wait_for(lock, std::chrono::seconds(30), [&] { return seqs.size() >= n; });
    BOOST_REQUIRE(done);
    return seqs;
  }
};

// A pre-write check that refuses every append whose first record is named "refused".
std::vector<std::string> refuse_pods_named_refused(
    const std::vector<const std::vector<journal_record>*>& appends) {
  std::vector<std::string> out;
  for (const auto* records : appends)
    out.push_back(records->front().name == "refused" ? "no such Pod" : "");
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_writers_share_batches_and_get_every_number_once) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  journal_writer writer(*log);
  constexpr int threads = 8, per_thread = 300;
  std::mutex mutex;
  std::set<uint64_t> acknowledged;
  // Boost.Test's assertions are not thread-safe: the writers only count, the checks run here.
  int failed = 0, not_single = 0, repeated = 0;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto r =
            writer.append({created(small_pod("p" + std::to_string(t) + "-" + std::to_string(i)))});
        std::lock_guard<std::mutex> lock(mutex);
        failed += r.ok() ? 0 : 1;
        not_single += r.first_seq == r.last_seq ? 0 : 1;
        repeated += acknowledged.insert(r.first_seq).second ? 0 : 1;
      }
    });
  for (auto& t : pool)
    t.join();
  BOOST_TEST(failed == 0);
  BOOST_TEST(not_single == 0);
  BOOST_TEST(repeated == 0);
  BOOST_TEST(acknowledged.size() == static_cast<std::size_t>(threads * per_thread));
  BOOST_TEST(*acknowledged.begin() == 1u);
  BOOST_TEST(*acknowledged.rbegin() == static_cast<uint64_t>(threads * per_thread));
  auto stats = writer.stats();
  BOOST_TEST(stats.records == static_cast<uint64_t>(threads * per_thread));
  // Group commit: fewer synced batches than appends.
  BOOST_TEST(stats.batches < stats.records);
  BOOST_TEST(log->read(1, log->last_seq()).size() == acknowledged.size());
}

BOOST_AUTO_TEST_CASE(a_burst_of_async_appends_commits_in_few_batches_and_completes_in_order) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  std::vector<uint64_t> completed;
  {
    journal_writer writer(*log);
    for (int i = 0; i < 2000; ++i)
      writer.append({created(small_pod("p" + std::to_string(i))),
                     created(small_node("n" + std::to_string(i)))},
                    [&](const append_result& r) {
                      BOOST_REQUIRE(r.ok());
                      BOOST_REQUIRE(r.last_seq == r.first_seq + 1);
                      completed.push_back(r.first_seq);  // commit thread only
                    });
    // The destructor commits everything already submitted.
  }
  BOOST_REQUIRE(completed.size() == 2000u);
  for (std::size_t i = 0; i < completed.size(); ++i)
    BOOST_TEST(completed[i] == 2 * i + 1);
  BOOST_TEST(log->last_seq() == 4000u);
}

BOOST_AUTO_TEST_CASE(subscribers_catch_up_then_follow_live_without_gaps_or_repeats) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  journal_writer writer(*log);
  for (int i = 0; i < 100; ++i)
    BOOST_REQUIRE(writer.append({created(small_pod("old" + std::to_string(i)))}).ok());
  collector everything, late;
  writer.subscribe(1, everything.sink());
  writer.subscribe(150, late.sink());
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      BOOST_REQUIRE(writer.append({created(small_pod("new" + std::to_string(i)))}).ok());
  });
  producer.join();
  auto all = everything.wait_for(200);
  BOOST_REQUIRE(all.size() == 200u);
  for (std::size_t i = 0; i < all.size(); ++i)
    BOOST_TEST(all[i] == i + 1);
  auto tail = late.wait_for(51);
  BOOST_REQUIRE(tail.size() == 51u);
  BOOST_TEST(tail.front() == 150u);
  BOOST_TEST(tail.back() == 200u);
}

BOOST_AUTO_TEST_CASE(unsubscribed_sinks_receive_nothing_more) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  journal_writer writer(*log);
  collector sink, witness;
  auto id = writer.subscribe(1, sink.sink());
  BOOST_REQUIRE(writer.append({created(small_pod("a"))}).ok());
  sink.wait_for(1);
  writer.unsubscribe(id);
  // The witness joins after the unsubscribe, so once it has seen record 2, the commit
  // thread has processed the unsubscribe before committing record 2.
  writer.subscribe(1, witness.sink());
  BOOST_REQUIRE(writer.append({created(small_pod("b"))}).ok());
  witness.wait_for(2);
  std::lock_guard<std::mutex> lock(sink.mutex);
  BOOST_TEST(sink.seqs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(appends_the_checker_refuses_fail_and_take_no_sequence_number) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  journal_writer writer(*log);
  writer.set_checker(refuse_pods_named_refused);
  auto first = writer.append({created(small_pod("fine"))});
  auto refused = writer.append({created(small_pod("refused"))});
  auto second = writer.append({created(small_pod("fine-too"))});
  BOOST_TEST(first.ok());
  BOOST_TEST(refused.error == "no such Pod");
  BOOST_TEST(second.first_seq == first.first_seq + 1);
  BOOST_TEST(log->last_seq() == second.first_seq);
}

BOOST_AUTO_TEST_CASE(append_each_accepts_or_refuses_each_record_on_its_own) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  journal_writer writer(*log);
  writer.set_checker(refuse_pods_named_refused);
  std::promise<std::vector<append_result>> answered;
  writer.append_each(
      {created(small_pod("a")), created(small_pod("refused")), created(small_pod("b"))},
      [&](std::vector<append_result> results) { answered.set_value(results); });
  auto results = answered.get_future().get();
  BOOST_REQUIRE(results.size() == 3u);
  BOOST_TEST(results[0].ok());
  BOOST_TEST(results[1].error == "no such Pod");
  BOOST_TEST(results[2].ok());
  BOOST_TEST(results[2].first_seq == results[0].first_seq + 1);  // in order, no gap
  BOOST_TEST(log->last_seq() == results[2].first_seq);
  std::promise<std::vector<append_result>> none;
  writer.append_each({}, [&](std::vector<append_result> r) { none.set_value(r); });
  BOOST_TEST(none.get_future().get().empty());
}
