// How much more time and memory a test grants its subject in a sanitizer build
// (scripts/test --sanitize). Instrumented code runs slower and holds more memory (shadow
// memory, redzones, ASan's quarantine of freed blocks); bounds that tests assert on time or
// resident memory multiply by these factors, so they still catch unbounded growth there.
#pragma once

namespace capstan::test {

#if defined(__SANITIZE_ADDRESS__)
#define CAPSTAN_SANITIZED_ADDRESS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPSTAN_SANITIZED_ADDRESS 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CAPSTAN_SANITIZED_THREAD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CAPSTAN_SANITIZED_THREAD 1
#endif
#endif

#if defined(CAPSTAN_SANITIZED_THREAD)
constexpr double sanitizer_time_factor = 10;
constexpr long sanitizer_memory_factor = 8;
#elif defined(CAPSTAN_SANITIZED_ADDRESS)
constexpr double sanitizer_time_factor = 3;
constexpr long sanitizer_memory_factor = 3;
#else
constexpr double sanitizer_time_factor = 1;
constexpr long sanitizer_memory_factor = 1;
#endif

}  // namespace capstan::test
