// Tests that nothing acknowledged is lost at a power cut, which, unlike the SIGKILL of
// journal_crash_test, also loses what was written but never synced. The journal lives on
// lossy_fs (tests/lossy_fs), a FUSE filesystem whose unsynced data and names exist only in its
// own process: killing that process is the cut, and mounting its backing directory again
// shows the disk a rebooted machine would find. Needs /dev/fuse and the right to mount (root,
// or fusermount3 set-uid); scripts/setup installs fuse3 and libfuse3-dev.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>

#include "common/process.hpp"
#include "tests/store/journal_acks.hpp"
#include "tests/store/records.hpp"

using namespace capstan;

namespace {

// lossy_fs running on `mountpoint` over `backing`; at destruction its process and its mount go.
class lossy_mount {
public:
  lossy_mount(const std::string& backing, const std::string& mountpoint) : mountpoint_(mountpoint) {
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    pid_ = common::start_process({LOSSY_FS, backing, mountpoint}, fds[1]);
    close(fds[1]);
    BOOST_REQUIRE_MESSAGE(pid_ > 0, "cannot start " LOSSY_FS);
    // It says "mounted" once the mount exists, or ends (its reason on stderr). It lives while
    // this end of its stdout is open, so a test that dies leaves no mount behind.
    out_ = fds[0];
    std::string said;
    char c;
    while (read(out_, &c, 1) == 1 && c != '\n')
      said += c;
    if (said != "mounted") {
      close(out_);
      auto exit = common::wait_for_exit(pid_);
      pid_ = -1;
      BOOST_FAIL("lossy_fs could not mount " << mountpoint << " (exit code " << exit.exit_code
                                             << "): is /dev/fuse there, may this user mount?");
    }
    mounted_ = true;
  }
  ~lossy_mount() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      common::wait_for_exit(pid_);
    }
    if (mounted_)
      common::run_process({FUSERMOUNT3, "-u", mountpoint_});
    close(out_);
  }
  lossy_mount(const lossy_mount&) = delete;
  lossy_mount& operator=(const lossy_mount&) = delete;

  // The power cut: the filesystem's process dies with everything unsynced, then the dead mount
  // is removed. Whoever writes to it must be gone first, or it would see the mount fail instead.
  void cut() {
    kill(pid_, SIGKILL);
    BOOST_REQUIRE(common::wait_for_exit(pid_).signal == SIGKILL);
    pid_ = -1;
    auto unmounted = common::run_process({FUSERMOUNT3, "-u", mountpoint_});
    BOOST_REQUIRE_MESSAGE(unmounted.ok(),
                          "cannot unmount " << mountpoint_ << ": " << unmounted.output);
    mounted_ = false;
  }

private:
  std::string mountpoint_;
  pid_t pid_ = -1;
  int out_ = -1;  // the read end of lossy_fs's stdout
  bool mounted_ = false;
};

// A backing directory and a mount point under one temporary directory.
struct lossy_dirs {
  test::temp_dir root;
  std::string backing = root.str() + "/backing";
  std::string mountpoint = root.str() + "/mnt";
  lossy_dirs() {
    std::filesystem::create_directory(backing);
    std::filesystem::create_directory(mountpoint);
  }
};

void append_file(const std::string& path, const std::string& text, bool sync) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << path);
  BOOST_REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  if (sync)
    BOOST_REQUIRE(fsync(fd) == 0);
  BOOST_REQUIRE(close(fd) == 0);
}

// Appends through a descriptor opened O_DSYNC: each write is durable when it returns.
void append_file_dsync(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_DSYNC | O_CLOEXEC, 0644);
  BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << path);
  BOOST_REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  BOOST_REQUIRE(close(fd) == 0);
}

// One block written over the first of `path` the way C-Raft writes its log: O_DIRECT, submitted
// with io_submit, and (`dsync`) flagged RWF_DSYNC for that write alone. The file must hold the
// block already (C-Raft allocates its segments first): FUSE performs a direct write that extends
// a file synchronously, one within it asynchronously, and only the latter sends no fsync.
void write_block_direct_async(const std::string& path, char fill, bool dsync) {
  constexpr std::size_t block = 4096;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
  BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << path << " for direct I/O");
  void* buffer = nullptr;
  BOOST_REQUIRE(posix_memalign(&buffer, block, block) == 0);
  std::memset(buffer, fill, block);
  aio_context_t context = 0;
  BOOST_REQUIRE(syscall(SYS_io_setup, 1, &context) == 0);
  iocb request{};
  request.aio_fildes = static_cast<uint32_t>(fd);
  request.aio_lio_opcode = IOCB_CMD_PWRITE;
  request.aio_buf = reinterpret_cast<uintptr_t>(buffer);
  request.aio_nbytes = block;
  request.aio_rw_flags = dsync ? RWF_DSYNC : 0;
  iocb* requests[] = {&request};
  BOOST_REQUIRE(syscall(SYS_io_submit, context, 1, requests) == 1);
  io_event done{};
  BOOST_REQUIRE(syscall(SYS_io_getevents, context, 1, 1, &done, nullptr) == 1);
  BOOST_REQUIRE(done.res == static_cast<int64_t>(block));
  syscall(SYS_io_destroy, context);
  std::free(buffer);
  BOOST_REQUIRE(close(fd) == 0);
}

void sync_directory(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << path);
  BOOST_REQUIRE(fsync(fd) == 0);
  close(fd);
}

const std::string absent = "<no such file>";

// The file's content, or `absent`.
std::string contents(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    BOOST_REQUIRE_MESSAGE(errno == ENOENT, "cannot open " << path);
    return absent;
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  close(fd);
  BOOST_REQUIRE(n == 0);
  return text;
}

// "4096 x d" for a file of one repeated byte, "other" otherwise (short failure messages).
std::string repeated(const std::string& text) {
  if (text.empty() || text.find_first_not_of(text[0]) != std::string::npos)
    return "other";
  return std::to_string(text.size()) + " x " + text[0];
}

}  // namespace

// The filesystem itself: if this fails, lossy_fs is broken, not the journal. Before the cut the
// live view shows every write; after it, exactly what fsync, an O_DSYNC write or an RWF_DSYNC one
// (content) and a
// directory's fsync (names) made durable is there.
BOOST_AUTO_TEST_CASE(lossy_fs_keeps_exactly_what_was_synced) {
  lossy_dirs dirs;
  const std::string m = dirs.mountpoint;
  auto fs = std::make_unique<lossy_mount>(dirs.backing, m);
  append_file(m + "/synced", "kept", true);
  append_file(m + "/content_unsynced", "lost", false);
  append_file(m + "/renamed_unsynced", "moved", true);
  append_file(m + "/truncated_unsynced", "abcdef", true);
  append_file(m + "/deleted_unsynced", "deleted", true);
  BOOST_REQUIRE(mkdir((m + "/dir").c_str(), 0755) == 0);
  append_file(m + "/dir/inner", "inner", true);
  append_file(m + "/dsync", "", true);
  append_file(m + "/direct_dsync", std::string(4096, 'a'), true);
  append_file(m + "/direct", std::string(4096, 'a'), true);
  sync_directory(m + "/dir");
  sync_directory(m);
  // After the last directory sync: content and names only in memory.
  append_file(m + "/synced", " and lost", false);
  append_file_dsync(m + "/dsync", "written through");
  write_block_direct_async(m + "/direct_dsync", 'd', true);
  write_block_direct_async(m + "/direct", 'x', false);
  append_file(m + "/never_synced", "lost", false);
  append_file(m + "/name_unsynced", "content synced", true);
  BOOST_REQUIRE(rename((m + "/renamed_unsynced").c_str(), (m + "/renamed").c_str()) == 0);
  BOOST_REQUIRE(truncate((m + "/truncated_unsynced").c_str(), 2) == 0);
  BOOST_REQUIRE(unlink((m + "/deleted_unsynced").c_str()) == 0);

  BOOST_TEST(contents(m + "/synced") == "kept and lost");
  BOOST_TEST(contents(m + "/never_synced") == "lost");
  BOOST_TEST(contents(m + "/renamed") == "moved");
  BOOST_TEST(contents(m + "/truncated_unsynced") == "ab");
  BOOST_TEST(contents(m + "/deleted_unsynced") == absent);
  BOOST_TEST(contents(m + "/renamed_unsynced") == absent);

  fs->cut();
  fs = std::make_unique<lossy_mount>(dirs.backing, m);
  BOOST_TEST(contents(m + "/synced") == "kept");
  BOOST_TEST(contents(m + "/content_unsynced") == "");  // named, content never synced
  BOOST_TEST(contents(m + "/renamed_unsynced") == "moved");
  BOOST_TEST(contents(m + "/renamed") == absent);
  BOOST_TEST(contents(m + "/truncated_unsynced") == "abcdef");
  BOOST_TEST(contents(m + "/deleted_unsynced") == "deleted");
  BOOST_TEST(contents(m + "/dir/inner") == "inner");
  BOOST_TEST(contents(m + "/dsync") == "written through");
  BOOST_TEST(repeated(contents(m + "/direct_dsync")) == "4096 x d");
  BOOST_TEST(repeated(contents(m + "/direct")) == "4096 x a");  // maybe in the drive's cache
  BOOST_TEST(contents(m + "/never_synced") == absent);
  BOOST_TEST(contents(m + "/name_unsynced") == absent);  // its content was synced, its name never

  // What is synced stays through the next cut too.
  BOOST_REQUIRE(rename((m + "/renamed_unsynced").c_str(), (m + "/renamed").c_str()) == 0);
  append_file(m + "/synced", " twice", true);
  sync_directory(m);
  fs->cut();
  fs = std::make_unique<lossy_mount>(dirs.backing, m);
  BOOST_TEST(contents(m + "/renamed") == "moved");
  BOOST_TEST(contents(m + "/renamed_unsynced") == absent);
  BOOST_TEST(contents(m + "/synced") == "kept twice");
}

namespace {

// `rounds` power cuts at random moments: journal_crash_child appends and reports each
// acknowledged record; it is killed, then the power is cut (in that order, so that it cannot
// sync after the cut); the journal, reopened by the store's code on the disk the cut left (and,
// `replicated`, caught up from the Raft log as the master does at start), holds every
// acknowledged record and is a gap-free prefix. Returns the records verified.
std::size_t cut_power_at_random_moments(int rounds, bool replicated) {
  lossy_dirs dirs;
  const std::string journal = dirs.mountpoint + (replicated ? "/replicated" : "/journal");
  std::random_device seed_source;
  const unsigned seed = seed_source();
  BOOST_TEST_MESSAGE("power loss test seed " << seed);
  std::mt19937 rng(seed);
  test::acknowledged acked;
  uint64_t unacknowledged_kept = 0;  // synced records whose acknowledgement died with the child
  auto fs = std::make_unique<lossy_mount>(dirs.backing, dirs.mountpoint);
  for (int round = 0; round < rounds; ++round) {
    std::size_t target = acked.size() + (round % 4 == 0 ? 0 : 1 + rng() % 600);
    {
      test::crash_child child(CRASH_CHILD, journal, round, replicated);
      child.read_until(target, acked);
      child.kill_and_drain(acked);
    }
    fs->cut();
    fs.reset();
    fs = std::make_unique<lossy_mount>(dirs.backing, dirs.mountpoint);
    uint64_t last = test::check_acknowledged_prefix(journal, acked, replicated);
    unacknowledged_kept += last - (acked.empty() ? 0 : acked.rbegin()->first);
  }
  BOOST_TEST_MESSAGE(rounds << " power cuts, " << acked.size() << " acknowledged records verified, "
                            << unacknowledged_kept << " synced but unacknowledged records found");
  return acked.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(acknowledged_appends_survive_power_cuts) {
  BOOST_TEST(cut_power_at_random_moments(48, false) > 1000u);
}

// The master's way: the journal is written unsynced behind the Raft log, which alone is synced
// before an append is acknowledged.
BOOST_AUTO_TEST_CASE(appends_acknowledged_by_the_raft_log_survive_power_cuts) {
  BOOST_TEST(cut_power_at_random_moments(24, true) > 1000u);
}
