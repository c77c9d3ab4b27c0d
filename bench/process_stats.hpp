// Figures about the benchmark process itself, shared by the benchmarks.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace capstan::bench {

// Peak resident set size of this process so far, in MiB.
inline long peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Resident set size of this process now, in MiB (/proc/self/statm); -1 when unreadable.
inline long current_rss_mib() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (!statm)
    return -1;
  long total_pages = 0, resident_pages = -1;
  int read = std::fscanf(statm, "%ld %ld", &total_pages, &resident_pages);
  std::fclose(statm);
  if (read != 2 || resident_pages < 0)
    return -1;
  return resident_pages * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

}  // namespace capstan::bench
