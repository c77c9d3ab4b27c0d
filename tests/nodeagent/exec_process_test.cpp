// Tests nodeagent/exec_process.cpp with plain commands in place of runc exec (argv "env"): the
// output of each stream and the exit code, stdin and its end, a terminal, the output bound
// while nobody takes it, and kill.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "nodeagent/exec_process.hpp"

using namespace capstan::nodeagent;

namespace {

// Collects a command's output until it ends (or 20 s pass), waking on the process's calls.
struct runner {
  std::mutex mutex;
  std::condition_variable woken;
  int wakes = 0;
  std::unique_ptr<exec_process> process;

  explicit runner(std::vector<std::string> command, bool stdin_ = false, bool tty = false) {
    exec_process::options o;
    o.argv = {"env"};
    o.command = std::move(command);
    o.stdin_ = stdin_;
    o.tty = tty;
    process = std::make_unique<exec_process>(std::move(o), [this] {
      std::lock_guard<std::mutex> lock(mutex);
      ++wakes;
      woken.notify_all();
    });
  }

  exec_process::output run_to_end() {
    exec_process::output all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = process->take(1 << 20);
      all.out += got.out;
      all.err += got.err;
      if (got.exited) {
        all.exited = true;
        all.exit_code = got.exit_code;
        return all;
      }
      std::unique_lock<std::mutex> lock(mutex);
      woken.wait_for(lock, std::chrono::milliseconds(100));
    }
    return all;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(streams_and_exit_code) {
  runner r({"sh", "-c", "echo out; echo err >&2; exit 3"});
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.exit_code == 3);
  BOOST_TEST(o.out == "out\n");
  BOOST_TEST(o.err == "err\n");
}

BOOST_AUTO_TEST_CASE(stdin_reaches_the_command_and_its_end_ends_it) {
  runner r({"cat"}, true);
  BOOST_REQUIRE(r.process->give_input("hello "));
  BOOST_REQUIRE(r.process->give_input("world"));
  r.process->close_input();
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST(o.out == "hello world");
}

BOOST_AUTO_TEST_CASE(without_stdin_the_command_reads_nothing) {
  runner r({"sh", "-c", "cat; echo done"});
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.out == "done\n");
}

BOOST_AUTO_TEST_CASE(a_tty_is_a_terminal_with_the_size_set) {
  runner r({"sh", "-c", "read line; test -t 0 && echo terminal; stty size; echo got $line"}, true,
           true);
  r.process->resize(100, 30);
  BOOST_REQUIRE(r.process->give_input("abc\n"));
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.exit_code == 0);
  BOOST_TEST(o.out.find("terminal") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("30 100") != std::string::npos, o.out);
  BOOST_TEST(o.out.find("got abc") != std::string::npos, o.out);
  BOOST_TEST(o.err.empty());  // a terminal has one stream
}

BOOST_AUTO_TEST_CASE(output_nobody_takes_is_bounded) {
  runner r({"sh", "-c", "head -c 3000000 /dev/zero; echo end >&2"});
  // Wait until the buffer is full and the writer blocks; nothing is taken meanwhile.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto first = r.process->take(1 << 30);
  BOOST_TEST(first.out.size() <= exec_process::max_buffered);
  BOOST_TEST(first.out.size() > 0u);
  BOOST_TEST(!first.exited);
  auto rest = r.run_to_end();
  BOOST_REQUIRE(rest.exited);
  BOOST_TEST(first.out.size() + rest.out.size() == 3000000u);
  BOOST_TEST(rest.err == "end\n");
}

BOOST_AUTO_TEST_CASE(kill_ends_the_command) {
  runner r({"sleep", "100"});
  r.process->kill();
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.exit_code == 128 + 9);
}

BOOST_AUTO_TEST_CASE(a_command_that_cannot_start_ends_with_127) {
  runner r({"/no/such/command"});
  auto o = r.run_to_end();
  BOOST_REQUIRE(o.exited);
  BOOST_TEST(o.exit_code == 127);  // env's "not found"
}
