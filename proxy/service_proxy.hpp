// A node's service proxy, whatever the mode: keeps the node's traffic rules (and, in userspace
// mode, its listeners) equal to the services and endpoints it is given. Updates are coalesced
// (the newest state wins) and applied on the proxy's own thread; before the first apply, and
// after the ClusterIP range changes, the node gets the sysctls and the route service traffic
// needs. A mode implements apply(); its constructor ends with start() and its destructor begins
// with stop(), so that the thread never runs into a half-destroyed object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "proxy/iptables_rules.hpp"

namespace capstan::proxy {

class service_proxy {
public:
  virtual ~service_proxy();
  service_proxy(const service_proxy&) = delete;
  service_proxy& operator=(const service_proxy&) = delete;

  // The whole desired state; returns at once.
  void update(std::vector<messages::service> services, std::vector<messages::endpoints> endpoints);
  // The ClusterIP range, routed to the node's interface so that OUTPUT DNAT sees ClusterIPs.
  void set_service_cidr(const std::string& cidr);
  // The last apply: from the update that triggered it until the rules were in place.
  std::chrono::microseconds last_latency() const;

protected:
  explicit service_proxy(std::string node_address);
  void start();
  void stop();
  // On the proxy's thread: make the node match `plans`. Throws on failure (logged; the next
  // update tries again).
  virtual void apply(const std::vector<service_port_plan>& plans) = 0;

  const std::string node_address_;

private:
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::pair<std::vector<messages::service>, std::vector<messages::endpoints>>>
      pending_;
  std::chrono::steady_clock::time_point pending_since_;
  std::chrono::microseconds last_latency_{0};
  std::string service_cidr_;
  bool routed_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace capstan::proxy
