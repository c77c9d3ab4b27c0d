// Figures about the benchmark process itself, shared by the benchmarks.
#pragma once

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

// jemalloc's control interface, present when the program links jemalloc (tools/allocator.cpp);
// null otherwise (glibc's malloc: sanitizer builds, CAPSTAN_ALLOCATOR=system).
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));
extern "C" std::size_t nallocx(std::size_t size, int flags) __attribute__((weak));

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

// Bytes the program holds in allocations now (not freed, whatever RSS the allocator keeps
// besides); -1 when the allocator cannot tell. jemalloc's statistics are refreshed first (they
// are cached per "epoch").
inline int64_t heap_allocated_bytes() {
  if (mallctl) {
    uint64_t epoch = 1;
    std::size_t epoch_size = sizeof epoch;
    mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
    std::size_t allocated = 0;
    std::size_t size = sizeof allocated;
    if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0)
      return -1;
    return static_cast<int64_t>(allocated);
  }
  struct mallinfo2 info = ::mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

// What an allocation of `size` bytes takes (jemalloc's size class; `size` itself otherwise).
inline std::size_t allocation_size(std::size_t size) {
  return nallocx && size ? nallocx(size, 0) : size;
}

// An allocator that adds what it allocates to a counter (and subtracts what it frees), so that
// a benchmark can tell its own tables from the program it measures. Not thread-safe: the
// counter is the table's owner's.
template <class T>
struct counted_allocator {
  using value_type = T;
  uint64_t* bytes;
  explicit counted_allocator(uint64_t* counter) noexcept : bytes(counter) {}
  template <class U>
  counted_allocator(const counted_allocator<U>& other) noexcept : bytes(other.bytes) {}
  T* allocate(std::size_t n) {
    T* p = std::allocator<T>{}.allocate(n);
    *bytes += allocation_size(n * sizeof(T));
    return p;
  }
  void deallocate(T* p, std::size_t n) noexcept {
    *bytes -= allocation_size(n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const counted_allocator<U>& other) const noexcept {
    return bytes == other.bytes;
  }
  template <class U>
  bool operator!=(const counted_allocator<U>& other) const noexcept {
    return bytes != other.bytes;
  }
};

}  // namespace capstan::bench
