#include "api/refused_upgrades.hpp"

namespace capstan::api {

refused_upgrades::refused_upgrades(std::size_t capacity, std::chrono::seconds lifetime)
    : capacity_(capacity), lifetime_(lifetime) {}

std::string refused_upgrades::key_of(const http_request& req) {
  std::string key = req.user.name + '\n' + req.path;
  for (const auto& [name, value] : req.query_all)
    key += '\n' + name + '=' + value;
  return key;
}

void refused_upgrades::remember(const std::string& key, const http_response& refusal) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.push_back({key, refusal, std::chrono::steady_clock::now()});
  while (entries_.size() > capacity_)
    entries_.pop_front();
}

std::optional<http_response> refused_upgrades::take(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  while (!entries_.empty() && now - entries_.front().at > lifetime_)
    entries_.pop_front();
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->key == key) {
      http_response refusal = std::move(it->refusal);
      entries_.erase(std::next(it).base());
      return refusal;
    }
  return std::nullopt;
}

}  // namespace capstan::api
