// Child process of journal_crash_test: appends from several threads through the group
// commit writer, and after each acknowledgement writes "SEQ NAME" lines to stdout in one
// write(2). Runs until killed. Usage: journal_crash_child DIR ROUND
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "store/journal_writer.hpp"
#include "tests/store/records.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: journal_crash_child DIR ROUND\n");
    return 2;
  }
  using namespace capstan;
  auto log = store::event_log::open(argv[1]);
  store::journal_writer writer(*log);
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
