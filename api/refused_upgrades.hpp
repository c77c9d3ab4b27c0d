// Why a WebSocket upgrade for exec was refused, kept briefly for the SPDY request that follows.
// kubectl retries any refused WebSocket upgrade over SPDY, which capstan does not speak; without
// this the user would read "SPDY is not supported" instead of the first answer's reason (the
// node runs too many commands, the node is away).
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "api/http_message.hpp"

namespace capstan::api {

// Thread-safe. Bounded: the newest `capacity` refusals, each for `lifetime`.
class refused_upgrades {
public:
  explicit refused_upgrades(std::size_t capacity = 256,
                            std::chrono::seconds lifetime = std::chrono::seconds(30));
  // The key of a request: who asks, for which path, with which query.
  static std::string key_of(const http_request& req);
  void remember(const std::string& key, const http_response& refusal);
  // The refusal kept for `key` (handed out once), if it is recent.
  std::optional<http_response> take(const std::string& key);

private:
  struct entry {
    std::string key;
    http_response refusal;
    std::chrono::steady_clock::time_point at;
  };
  const std::size_t capacity_;
  const std::chrono::seconds lifetime_;
  std::mutex mutex_;
  std::deque<entry> entries_;
};

}  // namespace capstan::api
