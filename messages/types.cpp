#include "messages/types.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "messages/simulated_time.hpp"

namespace capstan::messages {

namespace {
thread_local const int64_t* simulated_seconds = nullptr;
}  // namespace

simulated_time::simulated_time(const int64_t* seconds) {
  simulated_seconds = seconds;
}

simulated_time::~simulated_time() {
  simulated_seconds = nullptr;
}

timestamp timestamp::now() {
  if (simulated_seconds)
    return {*simulated_seconds};
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return {std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count()};
}

std::string timestamp::to_rfc3339() const {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<timestamp> timestamp::parse_rfc3339(const std::string& text) {
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  const char* rest = text.c_str() + consumed;
  if (*rest == '.') {
    ++rest;
    if (*rest < '0' || *rest > '9')
      return std::nullopt;
    while (*rest >= '0' && *rest <= '9')
      ++rest;
  }
  long offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int oh, om, n = 0;
    if (std::sscanf(rest + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
      return std::nullopt;
    offset = (*rest == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timestamp{static_cast<int64_t>(timegm(&tm)) - offset};
}

}  // namespace capstan::messages
