// One seed of the master's simulation: a workload of clients and nodes with faults injected
// from the seed, invariants checked after every step and once settled. Shared by the ctest
// (tests/simulation/simulation_test.cpp) and the CLI (scripts/simulate).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace capstan::simulation {

struct simulation_options {
  uint64_t seed = 1;
  int steps = 40;
  int settle_every = 15;  // steps between settled checks (and one at the end)
  bool verbose = false;   // a line per step on stderr
};

struct simulation_result {
  uint64_t seed = 0;
  std::string failure;  // empty when every invariant held; else "seed S step N: what"
  int steps = 0;
  uint64_t messages = 0;  // actor messages run
  uint64_t records = 0;   // journal records at the end
  uint64_t acknowledged = 0;
  uint64_t checks = 0;                     // invariant checks made
  std::map<std::string, uint64_t> faults;  // injected, by kind
  bool ok() const { return failure.empty(); }
};

simulation_result run_seed(const simulation_options& options);

}  // namespace capstan::simulation
