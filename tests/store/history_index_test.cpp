// Tests store/history_index.cpp: what it answers equals what reading the journal through
// answers; a build from the journal meets the batches committed while it ran; the timeline
// counts every record once, by who made it.
#include <boost/test/unit_test.hpp>

#include <limits>

#include "store/event_log.hpp"
#include "store/history_index.hpp"
#include "tests/store/records.hpp"

using namespace capstan::store;
using namespace capstan::test;

namespace {

// Records 1..n stamped one second apart from t0: pods p0..p9 created by admin, bound by the
// scheduler, reported by node agents, some deleted by bob.
std::vector<journal_record> sample(int n, int64_t t0 = 1000000000000000000LL) {
  std::vector<journal_record> out;
  for (int i = 0; i < n; ++i) {
    auto pod = small_pod("p" + std::to_string(i % 10));
    journal_record r;
    switch (i / 10 % 4) {
      case 0: r = created(pod); break;
      case 1: r = record_for(pod, pod_bound{"node1"}, "system:scheduler"); break;
      case 2: r = record_for(pod, pod_status_changed{}, "system:node:node1"); break;
      default: r = record_for(pod, object_deleted{}, "bob"); break;
    }
    r.seq = i + 1;
    r.time_nanos = t0 + i * 1000000000LL;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_objects_records_and_a_causes_records_newest_last_within_bounds) {
  history_index index;
  index.build(*event_log::open(temp_dir().str()), 0);  // an empty journal: ready at once
  index.add(sample(40));
  auto p3 = index.object_records(object_kind::pod, "default", "p3", 1, 40, 100);
  BOOST_TEST(p3.seqs == (std::vector<uint64_t>{4, 14, 24, 34}));
  BOOST_TEST(!p3.more);
  auto newest = index.object_records(object_kind::pod, "default", "p3", 1, 30, 2);
  BOOST_TEST(newest.seqs == (std::vector<uint64_t>{14, 24}));
  BOOST_TEST(newest.more);
  BOOST_TEST(index.object_records(object_kind::pod, "other", "p3", 1, 40, 100).seqs.empty());
  BOOST_TEST(index.object_records(object_kind::node, "default", "p3", 1, 40, 100).seqs.empty());
  // Open bounds (as "everything" is asked) and bounds inside one object's records.
  const uint64_t end = std::numeric_limits<uint64_t>::max();
  BOOST_TEST(index.object_records(object_kind::pod, "default", "p3", 0, end, 100).seqs ==
             (std::vector<uint64_t>{4, 14, 24, 34}));
  BOOST_TEST(index.object_records(object_kind::pod, "default", "p3", 5, 24, 100).seqs ==
             (std::vector<uint64_t>{14, 24}));
  BOOST_TEST(index.object_records(object_kind::pod, "default", "p3", end, end, 100).seqs.empty());
  BOOST_TEST(index.lifecycle_records("p3", std::nullopt, 0, end, 100).seqs ==
             (std::vector<uint64_t>{4, 34}));  // created, deleted
  auto bob = index.cause_records("bob", 1, 40, 100);
  BOOST_TEST(bob.seqs.size() == 10u);
  BOOST_TEST(bob.seqs.front() == 31u);
}

BOOST_AUTO_TEST_CASE(lifecycle_search_finds_creations_and_deletions_by_part_of_a_name) {
  history_index index;
  index.build(*event_log::open(temp_dir().str()), 0);
  index.add(sample(40));
  auto found = index.lifecycle_records("p7", std::nullopt, 1, 40, 100);
  BOOST_TEST(found.seqs == (std::vector<uint64_t>{8, 38}));  // created, deleted
  BOOST_TEST(index.lifecycle_records("p", object_kind::pod, 1, 40, 100).seqs.size() == 20u);
  BOOST_TEST(index.lifecycle_records("p", object_kind::node, 1, 40, 100).seqs.empty());
  BOOST_TEST(index.lifecycle_records("zz", std::nullopt, 1, 40, 100).seqs.empty());
}

BOOST_AUTO_TEST_CASE(an_rcs_pods_are_found_by_the_start_of_their_names) {
  history_index index;
  index.build(*event_log::open(temp_dir().str()), 0);
  std::vector<journal_record> records;
  for (const char* name : {"web-abcde", "web-fghij", "web2-klmno", "wex-pqrst", "web-"}) {
    records.push_back(created(small_pod(name)));
    records.push_back(created(small_pod(name, "other")));
  }
  records.push_back(record_for(small_pod("web-abcde"), pod_bound{"node1"}));
  records.push_back(record_for(small_pod("web-fghij"), object_deleted{}));
  records.push_back(created(small_node("web-node")));
  for (std::size_t i = 0; i < records.size(); ++i)
    records[i].seq = i + 1;
  index.add(records);
  auto web = index.lifecycle_records_by_prefix(object_kind::pod, "default", "web-", 1, 100, 100);
  BOOST_TEST(web.seqs == (std::vector<uint64_t>{1, 3, 9, 12}));  // the binding is no lifecycle
  BOOST_TEST(!web.more);
  auto newest = index.lifecycle_records_by_prefix(object_kind::pod, "default", "web-", 2, 10, 1);
  BOOST_TEST(newest.seqs == (std::vector<uint64_t>{9}));
  BOOST_TEST(newest.more);
  BOOST_TEST(index.lifecycle_records_by_prefix(object_kind::pod, "other", "web-", 1, 100, 100)
                 .seqs == (std::vector<uint64_t>{2, 4, 10}));
  BOOST_TEST(index.lifecycle_records_by_prefix(object_kind::node, "", "web-", 1, 100, 100).seqs ==
             (std::vector<uint64_t>{13}));
  BOOST_TEST(index.lifecycle_records_by_prefix(object_kind::pod, "default", "x", 1, 100, 100)
                 .seqs.empty());
}

BOOST_AUTO_TEST_CASE(a_build_meets_the_batches_committed_while_it_ran) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  auto records = sample(30);
  std::vector<journal_record> first(records.begin(), records.begin() + 20);
  log->append(first);
  history_index index;
  // Committed after the build's end point, before the build: they wait, then count once.
  std::vector<journal_record> later(records.begin() + 20, records.end());
  for (std::size_t i = 0; i < later.size(); ++i)
    later[i].seq = 21 + i;
  index.add(later);
  BOOST_TEST(!index.ready());
  index.build(*log, 20);
  BOOST_TEST(index.ready());
  BOOST_TEST(index.last_seq() == 30u);
  index.add(later);  // given again: nothing changes
  BOOST_TEST(index.last_seq() == 30u);
  BOOST_TEST(index.object_records(object_kind::pod, "default", "p1", 1, 30, 100).seqs ==
             (std::vector<uint64_t>{2, 12, 22}));
}

BOOST_AUTO_TEST_CASE(the_timeline_counts_each_record_once_by_its_cause) {
  history_index index;
  index.build(*event_log::open(temp_dir().str()), 0);
  index.add(sample(40));
  auto buckets = index.timeline(1, 40, 4);
  BOOST_REQUIRE(buckets.size() == 4u);
  uint64_t total = 0;
  for (const auto& b : buckets)
    total += b.counts[0] + b.counts[1] + b.counts[2];
  BOOST_TEST(total == 40u);
  // 40 records over 39 s in four 9.75 s intervals: the first holds admin's ten creations.
  BOOST_TEST(buckets[0].counts[static_cast<int>(cause_class::users)] == 10u);
  BOOST_TEST(buckets[0].first_seq == 1u);
  BOOST_TEST(buckets[1].counts[static_cast<int>(cause_class::controllers)] == 10u);
  BOOST_TEST(buckets[2].counts[static_cast<int>(cause_class::nodes)] == 10u);
  BOOST_TEST(buckets[3].last_seq == 40u);
}

BOOST_AUTO_TEST_CASE(the_record_at_a_time_is_the_last_committed_by_then) {
  history_index index;
  index.build(*event_log::open(temp_dir().str()), 0);
  const int64_t t0 = 1000000000000000000LL;
  index.add(sample(10, t0));
  BOOST_TEST(index.seq_at_time(t0 - 1) == 0u);
  BOOST_TEST(index.seq_at_time(t0) == 1u);
  BOOST_TEST(index.seq_at_time(t0 + 4500000000LL) == 5u);
  BOOST_TEST(index.seq_at_time(t0 + 100000000000LL) == 10u);
  BOOST_TEST(index.time_of(3) == t0 + 2000000000LL);
  BOOST_TEST(index.time_of(11) == 0);
}

BOOST_AUTO_TEST_CASE(causes_are_users_controllers_or_nodes) {
  BOOST_TEST(static_cast<int>(classify_cause("admin")) == static_cast<int>(cause_class::users));
  BOOST_TEST(static_cast<int>(classify_cause("system:node:n1")) ==
             static_cast<int>(cause_class::nodes));
  BOOST_TEST(static_cast<int>(classify_cause("system:replication-manager")) ==
             static_cast<int>(cause_class::controllers));
}
