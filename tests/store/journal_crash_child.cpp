// Child process of journal_crash_test: appends from several threads through the group
// commit writer, and after each acknowledgement writes "SEQ NAME" lines to stdout in one
// write(2). Runs until killed. Usage: journal_crash_child DIR ROUND [raft]
// With `raft`, as the master writes: through a Raft log of one member in DIR/raft, the journal
// (DIR/journal) unsynced behind it.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "store/journal_writer.hpp"
#include "store/raft_log.hpp"
#include "tests/store/records.hpp"

int main(int argc, char** argv) {
  const bool raft = argc == 4 && std::string(argv[3]) == "raft";
  if (argc != 3 && !raft) {
    std::fprintf(stderr, "usage: journal_crash_child DIR ROUND [raft]\n");
    return 2;
  }
  using namespace capstan;
  std::unique_ptr<store::event_log> log;
  std::unique_ptr<store::journal_writer> owned;
  if (raft) {
    store::event_log_options unsynced;
    unsynced.sync = false;
    log = store::event_log::open(std::string(argv[1]) + "/journal", unsynced);
    store::raft_log_config config;
    config.directory = std::string(argv[1]) + "/raft";
    owned = std::make_unique<store::journal_writer>(*log, std::make_unique<store::raft_log>(config));
    if (!owned->wait_until_leading(std::chrono::seconds(30))) {
      std::fprintf(stderr, "the Raft log elected no leader\n");
      return 3;
    }
  } else {
    log = store::event_log::open(argv[1]);
    owned = std::make_unique<store::journal_writer>(*log);
  }
  store::journal_writer& writer = *owned;
  const std::string round = argv[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        std::vector<messages::journal_record> batch;
        std::size_t size = 1 + (i % 3);
        std::vector<std::string> names;
        for (std::size_t k = 0; k < size; ++k) {
          names.push_back("r" + round + "-w" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                          std::to_string(k));
          batch.push_back(test::created(test::small_pod(names.back())));
        }
        auto result = writer.append(std::move(batch));
        if (!result.ok()) {
          std::fprintf(stderr, "append failed: %s\n", result.error.c_str());
          _exit(3);
        }
        std::string lines;
        for (std::size_t k = 0; k < size; ++k)
          lines += std::to_string(result.first_seq + k) + " " + names[k] + "\n";
        if (write(1, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size()))
          _exit(4);
      }
    });
  for (auto& t : threads)
    t.join();
}
