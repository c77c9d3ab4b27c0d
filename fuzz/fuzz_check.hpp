// What the fuzz targets assert beyond "no crash": FUZZ_CHECK aborts with the condition and a
// message, so that libFuzzer keeps the input as a crash like any sanitizer report.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(condition, message)                                                        \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, __LINE__,         \
                   #condition, std::string(message).c_str());                                 \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
