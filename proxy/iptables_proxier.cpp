#include "proxy/iptables_proxier.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "nodeagent/process.hpp"

namespace capstan::proxy {

using nodeagent::run_process;

namespace {

void write_sysctl(const std::string& path, const std::string& value) {
  std::ofstream(path) << value;
}

}  // namespace

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
  write_sysctl("/proc/sys/net/ipv4/ip_forward", "1");
  // NodePorts on 127.0.0.1, and pod-to-service traffic crossing the bridge.
  write_sysctl("/proc/sys/net/ipv4/conf/all/route_localnet", "1");
  write_sysctl("/proc/sys/net/bridge/bridge-nf-call-iptables", "1");
  std::string cidr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cidr = config_.service_cidr;
  }
  if (!cidr.empty() && !config_.node_address.empty()) {
    // OUTPUT DNAT happens after the routing decision: ClusterIPs need a route to exist.
    auto r = run_process({"ip", "-o", "addr", "show", "to", config_.node_address});
    auto fields = r.output;
    std::string device;
    if (r.ok()) {
      auto first = fields.find(' ');
      auto second = fields.find(' ', first + 1);
      if (first != std::string::npos && second != std::string::npos)
        device = fields.substr(first + 1, second - first - 1);
    }
    if (!device.empty())
      run_process({"ip", "route", "replace", cidr, "dev", device});
  }
  prepared_ = true;
}

void iptables_proxier::apply(const std::vector<service_port_plan>& plans) {
  auto saved = run_process({"iptables-save", "-t", "nat"});
  if (!saved.ok())
    throw std::runtime_error("iptables-save: " + saved.output);
  std::string rules = nat_rules(plans, capstan_chains(saved.output));
  char path[] = "/tmp/capstan-proxy-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw std::runtime_error("no temporary file for iptables-restore");
  close(fd);
  std::ofstream(path) << rules;
  auto restored = run_process({"iptables-restore", "--noflush", path});
  std::remove(path);
  if (!restored.ok())
    throw std::runtime_error("iptables-restore: " + restored.output);
  const std::vector<std::vector<std::string>> hooks = {
      {"nat", "PREROUTING", "CAPSTAN-SERVICES"},
      {"nat", "OUTPUT", "CAPSTAN-SERVICES"},
      {"nat", "POSTROUTING", "CAPSTAN-POSTROUTING"},
      {"filter", "OUTPUT", "CAPSTAN-SERVICES"},
      {"filter", "FORWARD", "CAPSTAN-SERVICES"}};
  for (const auto& h : hooks) {
    if (!run_process({"iptables", "-t", h[0], "-C", h[1], "-j", h[2]}).ok())
      run_process({"iptables", "-t", h[0], "-I", h[1], "-j", h[2]});
  }
}

}  // namespace capstan::proxy
