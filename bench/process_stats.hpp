// Figures about the benchmark process itself, shared by the benchmarks.
#pragma once

#include <sys/resource.h>

namespace capstan::bench {

// Peak resident set size of this process so far, in MiB.
inline long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace capstan::bench
