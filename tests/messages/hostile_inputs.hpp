// Test helper: hostile documents (alias bombs, deep nesting, huge, ill-encoded) and a meter for
// the time and peak memory one call takes, shared by the tests of the input readers.
#pragma once

#include <malloc.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <string>

#include "tests/sanitizers/budget.hpp"

namespace capstan::test {

// Kubernetes' CVE-2019-11253 document ("billion laughs"): nine levels of ten aliases each,
// 10^9 strings when expanded, ~450 bytes of text.
inline std::string yaml_alias_bomb() {
  std::string out = "a: &a [";
  for (int i = 0; i < 10; ++i)
    out += i ? ",\"lol\"" : "\"lol\"";
  out += "]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    std::string previous(1, static_cast<char>(level - 1));
    out += std::string(1, level) + ": &" + level + " [";
    for (int i = 0; i < 10; ++i)
      out += (i ? ",*" : "*") + previous;
    out += "]\n";
  }
  return out;
}

// `depth` opening brackets and nothing else.
inline std::string open_brackets(std::size_t depth) {
  return std::string(depth, '[');
}

// A Pod manifest in JSON-compatible flow YAML; `labels` is the text of its labels object.
inline std::string pod_with_labels(const std::string& labels) {
  return R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": )" + labels +
         R"(}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}})";
}

// `n` distinct labels: {"l0": "v", "l1": "v", ...}.
inline std::string many_labels(std::size_t n) {
  std::string out = "{";
  for (std::size_t i = 0; i < n; ++i)
    out += (i ? ", \"l" : "\"l") + std::to_string(i) + "\": \"v\"";
  return out + "}";
}

// A JSON (and YAML) text of exactly `bytes` bytes: one string value of spaces.
inline std::string huge_document(std::size_t bytes) {
  std::string out = "{\"a\": \"";
  out.resize(bytes - 2, ' ');
  return out + "\"}";
}

// Peak resident memory of this process, in kB (VmHWM in /proc/self/status).
inline long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string word;
  long kb = -1;
  while (status >> word)
    if (word == "VmHWM:")
      status >> kb;
  return kb;
}

// Current resident memory, in kB (VmRSS).
inline long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string word;
  long kb = -1;
  while (status >> word)
    if (word == "VmRSS:")
      status >> kb;
  return kb;
}

// What one call cost: wall time, and how far the peak resident memory rose above the memory
// resident when it started. Freed memory is first returned to the system (malloc_trim) and
// the peak reset (writing 5 to /proc/self/clear_refs, Linux >= 4.0), so earlier, larger work
// in the same process does not hide the growth.
struct cost {
  double seconds = 0;
  long peak_growth_mb = 0;
};

template <class F>
cost measure(F&& call) {
  malloc_trim(0);
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  long before = rss_kb();
  auto start = std::chrono::steady_clock::now();
  call();
  cost c;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.peak_growth_mb = (peak_rss_kb() - before) / 1024;
  return c;
}

// Bounds for one hostile input on a loaded CI machine: each takes milliseconds on an idle one.
constexpr double max_seconds = 2.0 * sanitizer_time_factor;
constexpr long max_peak_growth_mb = 200 * sanitizer_memory_factor;

// Found by fuzz/journal_record_fuzz: a 544-byte journal record whose Service's spec.ports points
// at a list of 26 million empty structs (capnp counts each as a word read).
inline std::string record_of_millions_of_empty_structs() {
  const std::string hex =
      "0000000043000000000000000300050001000000000000000100167b0d12d114030000000000000011000000"
      "420000001100000062000000150000000a0000001500000032000000140000000000010064656661756c7400"
      "72656469732d736c6176650000000000000000000000000061646d696e000000000000000100010003000000"
      "0000000000000000000003000800000003000a005c00000000000600b4000000000001000000000000000000"
      "0000000000000000000000000000000025000000620000000000000000000000250000004200000000000000"
      "0000000000000000000000000000000000000000190000001700000000000000000000000000000000000000"
      "000000000000000072656469732d736c617665000000000064656661756c7400040000000000020005000000"
      "2a00000005000000620000006e616d650000000072656469732d736c61766500000000001500000052000000"
      "1900000027000000350000001700000000000000000000000000000000000000410000002a000000436c7573"
      "00000000000076340000000000007635000000000000405489000000000008000000000002000d0000002200"
      "00000d000000220000000d000000220000000d000000220000006b3130000000000076313000000000006b31"
      "310000000000763131000000000008000000000002000d000000220000000d000000220000000d0000002200"
      "00000d000000220000006b3132000000";
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

}  // namespace capstan::test
