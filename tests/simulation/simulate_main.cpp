// simulate: runs seeds of the master's simulation (tests/simulation/simulation.hpp) and prints
// the figures. scripts/simulate builds and runs it.
//   simulate [--seeds N] [--from S] [--seed S] [--steps N] [-v]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "tests/simulation/simulation.hpp"

using namespace capstan::simulation;

int main(int argc, char** argv) {
  uint64_t seeds = 1000, from = 1;
  simulation_options options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> uint64_t {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "simulate: %s needs a number\n", a.c_str());
        std::exit(2);
      }
      return std::strtoull(argv[++i], nullptr, 10);
    };
    if (a == "--seeds")
      seeds = value();
    else if (a == "--from")
      from = value();
    else if (a == "--seed") {
      from = value();
      seeds = 1;
    } else if (a == "--steps")
      options.steps = static_cast<int>(value());
    else if (a == "-v")
      options.verbose = true;
    else {
      std::fprintf(stderr, "usage: simulate [--seeds N] [--from S] [--seed S] [--steps N] [-v]\n");
      return 2;
    }
  }
  auto start = std::chrono::steady_clock::now();
  uint64_t steps = 0, messages = 0, records = 0, acknowledged = 0, checks = 0, failed = 0;
  std::map<std::string, uint64_t> faults;
  for (uint64_t seed = from; seed < from + seeds; ++seed) {
    options.seed = seed;
    auto r = run_seed(options);
    steps += r.steps;
    messages += r.messages;
    records += r.records;
    acknowledged += r.acknowledged;
    checks += r.checks;
    for (const auto& [kind, n] : r.faults)
      faults[kind] += n;
    if (!r.ok()) {
      ++failed;
      std::printf("FAILED %s\n", r.failure.c_str());
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seeds %llu..%llu: %llu run in %.2f s (%.1f seeds/s), %llu failed\n",
              static_cast<unsigned long long>(from),
              static_cast<unsigned long long>(from + seeds - 1),
              static_cast<unsigned long long>(seeds), seconds, seeds / seconds,
              static_cast<unsigned long long>(failed));
  std::printf("steps %llu, actor messages %llu, journal records %llu, acknowledged writes %llu\n",
              static_cast<unsigned long long>(steps), static_cast<unsigned long long>(messages),
              static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(acknowledged));
  std::printf("invariant checks %llu\n", static_cast<unsigned long long>(checks));
  std::printf("faults injected:\n");
  for (const auto& [kind, n] : faults)
    std::printf("  %-45s %llu\n", kind.c_str(), static_cast<unsigned long long>(n));
  return failed ? 1 : 0;
}
