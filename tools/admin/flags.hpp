// Flag values shared by the server-side commands (durations, HOST:PORT) and their signal handling.
#pragma once

#include <signal.h>

#include <chrono>
#include <optional>
#include <string>

namespace capstan::admin {

// "500ms", "40s", "5m", "1h"; nullopt for anything else.
inline std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  std::size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &pos);
  } catch (...) {
    return std::nullopt;
  }
  std::string unit = text.substr(pos);
  if (n < 0)
    return std::nullopt;
  if (unit == "ms")
    return std::chrono::milliseconds(n);
  if (unit == "s")
    return std::chrono::milliseconds(n * 1000);
  if (unit == "m")
    return std::chrono::milliseconds(n * 60000);
  if (unit == "h")
    return std::chrono::milliseconds(n * 3600000);
  return std::nullopt;
}

// "HOST:PORT" split, the port in 1..65535; nullopt otherwise.
inline std::optional<std::pair<std::string, uint16_t>> parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  int port = std::atoi(text.c_str() + colon + 1);
  if (port <= 0 || port > 65535)
    return std::nullopt;
  return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
}

// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread it starts later;
// the returned set is for sigwait.
inline sigset_t block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace capstan::admin
