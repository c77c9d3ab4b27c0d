#include "proxy/iptables_proxier.hpp"

#include <cstdio>

#include "nodeagent/process.hpp"
#include "proxy/node_netfilter.hpp"

namespace capstan::proxy {

using nodeagent::run_process;

iptables_proxier::iptables_proxier(proxier_config config) : config_(std::move(config)) {
  thread_ = std::thread([this] { loop(); });
}

iptables_proxier::~iptables_proxier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void iptables_proxier::update(std::vector<messages::service> services,
                              std::vector<messages::endpoints> endpoints) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pending_)
      pending_since_ = std::chrono::steady_clock::now();
    pending_.emplace(std::move(services), std::move(endpoints));
  }
  wake_.notify_one();
}

void iptables_proxier::set_service_cidr(const std::string& cidr) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (cidr != config_.service_cidr) {
    config_.service_cidr = cidr;
    prepared_ = false;
  }
}

std::chrono::microseconds iptables_proxier::last_latency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_latency_;
}

void iptables_proxier::loop() {
  for (;;) {
    std::pair<std::vector<messages::service>, std::vector<messages::endpoints>> state;
    std::chrono::steady_clock::time_point since;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || pending_; });
      if (stopping_)
        return;
      state = std::move(*pending_);
      pending_.reset();
      since = pending_since_;
    }
    try {
      if (!prepared_)
        prepare_node();
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

void iptables_proxier::prepare_node() {
  enable_service_sysctls();
  std::string cidr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cidr = config_.service_cidr;
  }
  route_service_cidr(cidr, config_.node_address);
  prepared_ = true;
}

void iptables_proxier::apply(const std::vector<service_port_plan>& plans) {
  auto saved = run_process({"iptables-save", "-t", "nat"});
  if (!saved.ok())
    throw std::runtime_error("iptables-save: " + saved.output);
  restore_rules(nat_rules(plans, capstan_chains(saved.output)));
  ensure_jump("nat", "PREROUTING", {}, "CAPSTAN-SERVICES");
  ensure_jump("nat", "OUTPUT", {}, "CAPSTAN-SERVICES");
  ensure_jump("nat", "POSTROUTING", {}, "CAPSTAN-POSTROUTING");
  ensure_jump("filter", "OUTPUT", {}, "CAPSTAN-SERVICES");
  ensure_jump("filter", "FORWARD", {}, "CAPSTAN-SERVICES");
}

}  // namespace capstan::proxy
