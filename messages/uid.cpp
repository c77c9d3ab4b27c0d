#include "messages/uid.hpp"

#include <cstdio>

namespace capstan::messages {

std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (uint64_t{std::random_device{}()} << 32)};
  return rng;
}

void seed_thread_rng(uint64_t seed) {
  thread_rng().seed(seed);
}

std::string new_uid() {
  auto& rng = thread_rng();
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace capstan::messages
