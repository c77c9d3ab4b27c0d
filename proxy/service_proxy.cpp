#include "proxy/service_proxy.hpp"

#include <cstdio>

#include "proxy/node_netfilter.hpp"

namespace capstan::proxy {

service_proxy::service_proxy(std::string node_address) : node_address_(std::move(node_address)) {}

service_proxy::~service_proxy() {
  stop();
}

void service_proxy::start() {
  thread_ = std::thread([this] { loop(); });
}

void service_proxy::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void service_proxy::update(std::vector<messages::service> services,
                           std::vector<messages::endpoints> endpoints) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pending_)
      pending_since_ = std::chrono::steady_clock::now();
    pending_.emplace(std::move(services), std::move(endpoints));
  }
  wake_.notify_one();
}

void service_proxy::set_service_cidr(const std::string& cidr) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cidr != service_cidr_) {
    service_cidr_ = cidr;
    routed_ = false;
  }
}

std::chrono::microseconds service_proxy::last_latency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_latency_;
}

void service_proxy::loop() {
  for (;;) {
    std::pair<std::vector<messages::service>, std::vector<messages::endpoints>> state;
    std::chrono::steady_clock::time_point since;
    std::string route;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || pending_; });
      if (stopping_)
        return;
      state = std::move(*pending_);
      pending_.reset();
      since = pending_since_;
      if (!routed_) {
        route = service_cidr_;
        routed_ = true;
      }
    }
    try {
      if (!route.empty()) {
        enable_service_sysctls();
        route_service_cidr(route, node_address_);
      }
      apply(plan_services(state.first, state.second));
      auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - since);
      std::lock_guard<std::mutex> lock(mutex_);
      last_latency_ = latency;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "capstan node: proxy: %s\n", e.what());
    }
  }
}

}  // namespace capstan::proxy
