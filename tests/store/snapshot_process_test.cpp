// Tests store/snapshot_process.cpp: the child's snapshot is the state as it was at the fork,
// whatever the parent changes after; a child that dies or is killed writes nothing; Secrets are
// sealed before the fork; the child keeps none of the parent's files open.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "store/restore.hpp"
#include "store/secret_sealing.hpp"
#include "store/snapshot_process.hpp"
#include "tests/store/records.hpp"
#include "tests/store/state_dump.hpp"

using namespace capstan;
using namespace capstan::store;
using namespace capstan::test;

namespace {

// Under AddressSanitizer the master never forks for a snapshot (GCC 12's libasan does not hold
// its allocator's locks across fork, and RocksDB's threads run here too): nor do these tests.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool forks_safely = false;
#else
constexpr bool forks_safely = true;
#endif
const auto only_where_fork_is_safe = boost::unit_test::enable_if<forks_safely>();

// Appends `count` pods named PREFIX-i and applies them to `live`.
void add_pods(event_log& log, cluster_state& live, const std::string& prefix, int count) {
  std::vector<journal_record> batch;
  for (int i = 0; i < count; ++i)
    batch.push_back(created(small_pod(prefix + "-" + std::to_string(i))));
  log.append(batch);
  for (const auto& r : batch)
    apply(live, r);
}

bool has_staged_file(const std::string& directory) {
  for (const auto& entry : std::filesystem::directory_iterator(directory))
    if (entry.path().string().find(".staged") != std::string::npos)
      return true;
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_snapshot_is_the_state_at_the_fork_whatever_changes_after, *only_where_fork_is_safe) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  add_pods(*log, live, "before", 2500);  // three chunks
  const auto at_fork = dump(live);
  const uint64_t fork_seq = live.seq;
  snapshot_process child(*log, live);
  // The parent goes on changing its state while the child encodes.
  add_pods(*log, live, "after", 500);
  BOOST_TEST(child.seq() == fork_seq);
  BOOST_TEST(child.object_count() == 2500u);
  log->write_snapshot(child.seq(), child.object_count(), [&] { return child.next_chunk(); });
  BOOST_TEST(child.pid() == -1);  // reaped
  BOOST_TEST(child.stats().child_seconds > 0.0);
  BOOST_TEST(!has_staged_file(dir.str()));

  auto manifest = log->latest_snapshot();
  BOOST_REQUIRE(manifest.has_value());
  BOOST_TEST(manifest->seq == fork_seq);
  cluster_state loaded;
  load_snapshot(loaded, *log, *manifest);
  BOOST_TEST(dump(loaded) == at_fork);
  BOOST_TEST(dump(restore(*log)) == dump(live));  // and the tail after it replays on top
}

BOOST_AUTO_TEST_CASE(write_snapshot_in_child_holds_the_state_only_while_it_starts) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  add_pods(*log, live, "web", 1200);
  int visits = 0;
  snapshot_process_stats stats;
  uint64_t seq = write_snapshot_in_child(
      *log,
      [&](const auto& visit) {
        ++visits;
        visit(live);
      },
      2, &stats);
  BOOST_TEST(visits == 1);
  BOOST_TEST(seq == live.seq);
  BOOST_TEST(stats.forked == forks_safely);
  BOOST_TEST(stats.pause_seconds > 0.0);
  BOOST_TEST(stats.pause_seconds < stats.seconds);
  BOOST_TEST(log->latest_snapshot()->object_count == live.size());
  BOOST_TEST(dump(restore(*log)) == dump(live));
}

BOOST_AUTO_TEST_CASE(a_child_killed_midway_writes_no_snapshot, *only_where_fork_is_safe) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  add_pods(*log, live, "web", 20000);  // megabytes: more than the pipe holds
  snapshot_process child(*log, live);
  const pid_t pid = child.pid();
  BOOST_REQUIRE(pid > 0);
  int chunks = 0;
  try {
    log->write_snapshot(child.seq(), child.object_count(), [&] {
      if (++chunks == 2)
        ::kill(pid, SIGKILL);  // after the first chunk, before the rest are all read
      return child.next_chunk();
    });
    BOOST_FAIL("a snapshot was written from a killed child");
  } catch (const store_error& e) {
    const std::string what = e.what();
    BOOST_TEST((what.find("killed by signal 9") != std::string::npos ||
                what.find("stopped in the middle") != std::string::npos),
               what);
  }
  BOOST_TEST(!log->latest_snapshot().has_value());
  BOOST_TEST(!has_staged_file(dir.str()));
  BOOST_TEST(dump(restore(*log)) == dump(live));  // the journal alone still restores it
}

BOOST_AUTO_TEST_CASE(an_abandoned_child_is_killed_and_reaped, *only_where_fork_is_safe) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  add_pods(*log, live, "web", 20000);  // more than the pipe holds: the child waits to write
  pid_t pid = -1;
  {
    snapshot_process child(*log, live);
    pid = child.pid();
    BOOST_REQUIRE(child.next_chunk().has_value());
  }
  // Killed and collected by the destructor: no such process any more (not even a zombie).
  errno = 0;
  BOOST_TEST(::kill(pid, 0) == -1);
  BOOST_TEST(errno == ESRCH);
}

BOOST_AUTO_TEST_CASE(the_child_keeps_none_of_the_parents_files_open, *only_where_fork_is_safe) {
  temp_dir dir;
  auto log = event_log::open(dir.str());
  cluster_state live;
  add_pods(*log, live, "web", 20000);  // more than the pipe holds: the child waits to write
  std::ofstream held(dir.str() + "/held-by-the-parent");  // one more descriptor of the parent
  BOOST_REQUIRE(held.is_open());
  snapshot_process child(*log, live);
  BOOST_REQUIRE(child.next_chunk().has_value());  // the child runs past its start
  std::vector<std::string> open_files;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(child.pid()) + "/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    if (fd > 2)
      open_files.push_back(std::filesystem::read_symlink(entry.path()).string());
  }
  BOOST_TEST(open_files.size() == 1u);  // its pipe to the parent
  BOOST_TEST((!open_files.empty() && open_files[0].rfind("pipe:", 0) == 0));
}

BOOST_AUTO_TEST_CASE(secrets_are_sealed_before_the_fork_and_open_after_restore, *only_where_fork_is_safe) {
  temp_dir dir;
  event_log_options options;
  options.sealer = std::make_shared<const secret_sealer>(
      std::vector<std::pair<std::string, std::string>>{{"k1", std::string(32, 'k')}});
  auto log = event_log::open(dir.str(), options);
  cluster_state live;
  messages::secret s;
  s.metadata.name = "db";
  s.metadata.namespace_ = "default";
  s.data["password"] = "a-password-never-in-clear";
  std::vector<journal_record> batch{created(s)};
  log->append(batch);
  apply(live, batch[0]);
  write_snapshot_in_child(
      *log, [&](const auto& visit) { visit(live); }, 2);
  cluster_state loaded;
  load_snapshot(loaded, *log, *log->latest_snapshot());
  const auto* back = loaded.find<messages::secret>({"default", "db"});
  BOOST_REQUIRE(back != nullptr);
  BOOST_TEST(back->data.at("password") == "a-password-never-in-clear");
  // Stored sealed: read without the key, the snapshot's Secret has its name and no data.
  log.reset();
  auto keyless = event_log::open(dir.str());
  cluster_state without_key;
  load_snapshot(without_key, *keyless, *keyless->latest_snapshot());
  const auto* sealed = without_key.find<messages::secret>({"default", "db"});
  BOOST_REQUIRE(sealed != nullptr);
  BOOST_TEST(sealed->data.empty());
}

BOOST_AUTO_TEST_CASE(without_a_key_a_secret_stops_the_snapshot_before_any_fork) {
  temp_dir dir;
  auto log = event_log::open(dir.str());  // no sealer
  messages::secret s;
  s.metadata.name = "db";
  s.metadata.namespace_ = "default";
  s.data["password"] = "x";
  cluster_state live = state_with({s});
  BOOST_CHECK_THROW(snapshot_process(*log, live), store_error);
  BOOST_TEST(!log->latest_snapshot().has_value());
}
