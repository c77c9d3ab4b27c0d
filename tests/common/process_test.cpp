// Tests common/process.cpp: exit codes, signals, missing programs and output of child processes,
// and that one reaper hands every status to its waiter while other children and orphans exit.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/process.hpp"
#include "tests/common/orphan_maker.hpp"

using namespace capstan;
using namespace capstan::common;

BOOST_AUTO_TEST_CASE(a_failing_command_reports_its_exit_code) {
  auto three = run_process({"sh", "-c", "exit 3"});
  BOOST_TEST(three.exit_code == 3);
  BOOST_TEST(!three.ok());
  auto f = run_process({"false"});
  BOOST_TEST(f.exit_code == 1);
  BOOST_TEST(!f.ok());
  BOOST_TEST(run_process({"true"}).ok());
}

BOOST_AUTO_TEST_CASE(output_is_captured_from_stdout_and_stderr) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2"});
  BOOST_TEST(r.ok());
  BOOST_TEST(r.output == "out\nerr\n");
}

BOOST_AUTO_TEST_CASE(a_child_starts_with_no_signal_blocked_and_sigpipe_at_its_default) {
  // As the mains do: SIGTERM blocked (for sigwait), SIGPIPE ignored, in the spawning thread.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  auto previous = signal(SIGPIPE, SIG_IGN);
  auto r = run_process({"grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"});
  signal(SIGPIPE, previous);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  BOOST_TEST(r.ok());
  BOOST_TEST(r.output.find("SigBlk:\t0000000000000000") != std::string::npos, r.output);
  // SIGPIPE is signal 13: bit 12 of SigIgn.
  auto ign = r.output.substr(r.output.find("SigIgn:\t") + 8, 16);
  BOOST_TEST((std::stoull(ign, nullptr, 16) & (1ull << 12)) == 0u, r.output);
}

BOOST_AUTO_TEST_CASE(a_command_killed_by_a_signal_is_not_ok) {
  auto r = run_process({"sh", "-c", "kill -KILL $$"});
  BOOST_TEST(r.exit_code == 128 + SIGKILL);
  BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_CASE(a_missing_program_is_exit_minus_one) {
  auto r = run_process({"capstan-no-such-program"});
  BOOST_TEST(r.exit_code == -1);
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.output.find("cannot run capstan-no-such-program") != std::string::npos);
  BOOST_TEST(run_process({"/nonexistent/capstan-no-such-program"}).exit_code == -1);
  BOOST_TEST(start_process({"capstan-no-such-program"}) == -1);
  BOOST_TEST(run_process({}).exit_code == -1);
}

BOOST_AUTO_TEST_CASE(logging_to_a_file_appends_output_and_reports_the_exit_code) {
  char dir[] = "/tmp/capstan-process-test-XXXXXX";
  BOOST_REQUIRE(mkdtemp(dir) != nullptr);
  std::string log = std::string(dir) + "/child.log";
  BOOST_TEST(run_process_logging_to({"sh", "-c", "echo one"}, log).ok());
  auto r = run_process_logging_to({"sh", "-c", "echo two >&2; exit 4"}, log);
  BOOST_TEST(r.exit_code == 4);
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  BOOST_TEST(text.str() == "one\ntwo\n");
  BOOST_TEST(run_process_logging_to({"true"}, std::string(dir) + "/no/such/dir/log").exit_code ==
             -1);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_started_process_is_awaited_once_for_its_exit_code) {
  pid_t pid = start_process({"sh", "-c", "exit 7"});
  BOOST_REQUIRE(pid > 0);
  auto e = wait_for_exit(pid);
  BOOST_TEST(e.exit_code == 7);
  BOOST_TEST(e.signal == 0);
  BOOST_TEST(wait_for_exit(pid).exit_code == -1);  // claimed: nothing is left to read
  BOOST_TEST(wait_for_exit(-1).exit_code == -1);
}

BOOST_AUTO_TEST_CASE(exit_status_is_empty_while_the_process_runs) {
  pid_t pid = start_process({"sleep", "60"});
  BOOST_REQUIRE(pid > 0);
  BOOST_TEST(!exit_status(pid).has_value());
  kill(pid, SIGTERM);
  auto e = wait_for_exit(pid);
  BOOST_TEST(e.exit_code == 128 + SIGTERM);
  BOOST_TEST(e.signal == SIGTERM);
  BOOST_TEST(!e.ok());
  // Not a child of this process: unknown, which is not success.
  auto stranger = exit_status(1);
  BOOST_REQUIRE(stranger.has_value());
  BOOST_TEST(stranger->exit_code == -1);
}

BOOST_AUTO_TEST_CASE(a_started_process_writes_its_stdout_to_the_given_descriptor) {
  int fds[2];
  BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = start_process({"sh", "-c", "echo hello"}, fds[1]);
  close(fds[1]);
  BOOST_REQUIRE(pid > 0);
  char buffer[64];
  ssize_t n = read(fds[0], buffer, sizeof buffer);
  close(fds[0]);
  BOOST_TEST(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0) == "hello\n");
  BOOST_TEST(wait_for_exit(pid).ok());
}

// What the runc runtime relies on: a container's init, re-parented to the agent (a child
// subreaper), is not started here, yet its exit and signal reach exit_status by PID.
BOOST_AUTO_TEST_CASE(an_orphan_reparented_here_is_collected_with_its_signal) {
  BOOST_REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  auto r = run_process({"setsid", "-f", "sh", "-c", "echo $$; exec sleep 60 >/dev/null 2>&1"});
  pid_t orphan = std::atoi(r.output.c_str());
  BOOST_REQUIRE(r.ok() && orphan > 0);
  BOOST_TEST(!exit_status(orphan).has_value());  // running, and a child of this process now
  kill(orphan, SIGKILL);
  auto e = wait_for_exit(orphan);
  BOOST_TEST(e.exit_code == 128 + SIGKILL);
  BOOST_TEST(e.signal == SIGKILL);
  BOOST_TEST(exit_status(orphan)->exit_code == -1);  // handed over once
}

// The regression of issue #13: the runtime collected orphans with waitpid(-1), which could take
// a run_process child's status first; its waitpid(pid) then failed with ECHILD and an unset
// status 0 read as success. Here failures must stay failures while other threads run children
// and orphans come and go, all collected by the one reaper.
BOOST_AUTO_TEST_CASE(failures_stay_failures_while_children_and_orphans_exit_concurrently) {
  test::orphan_maker orphans;
  BOOST_REQUIRE_MESSAGE(orphans.subreaper(), "prctl(PR_SET_CHILD_SUBREAPER) failed");
  std::atomic<bool> stopping{false};
  std::atomic<int> short_runs{0}, short_failures{0};
  std::thread short_children([&] {
    while (!stopping) {
      if (!run_process({"true"}).ok())
        ++short_failures;
      ++short_runs;
    }
  });
  int wrong = 0;
  for (int i = 0; i < 300; ++i) {
    bool odd = i % 2;
    auto r = odd ? run_process({"false"}) : run_process({"sh", "-c", "exit 3"});
    if (r.exit_code != (odd ? 1 : 3) || r.ok()) {
      ++wrong;
      BOOST_TEST_MESSAGE("run " << i << ": exit code " << r.exit_code);
    }
  }
  stopping = true;
  short_children.join();
  orphans.stop();
  BOOST_TEST(wrong == 0);
  BOOST_TEST(short_failures == 0);
  BOOST_TEST(orphans.failures() == 0);  // every orphan's exit 0 reached its claim
  BOOST_TEST(orphans.made() > 0);
  BOOST_TEST_MESSAGE(short_runs << " short children and " << orphans.made()
                                << " orphans alongside 300 failing commands");
}

// A status taken by anything but the reaper (here: the kernel, with SIGCHLD ignored) is lost,
// and a lost status reads as -1, never as success.
BOOST_AUTO_TEST_CASE(a_status_lost_to_another_collector_is_not_success) {
  struct sigaction ignore = {};
  struct sigaction previous = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  BOOST_REQUIRE(sigaction(SIGCHLD, &ignore, &previous) == 0);
  auto r = run_process({"true"});
  pid_t pid = start_process({"true"});
  auto e = wait_for_exit(pid);
  sigaction(SIGCHLD, &previous, nullptr);
  BOOST_TEST(r.exit_code == -1);
  BOOST_TEST(!r.ok());
  BOOST_TEST(e.exit_code == -1);
  BOOST_TEST(run_process({"true"}).ok());  // collected by the reaper again
}
