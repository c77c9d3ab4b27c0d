// The iptables proxy of one node: keeps the nat table's CAPSTAN- chains equal to the services
// and endpoints it is given. Updates are coalesced (the newest state wins) and applied on the
// proxier's own thread with one iptables-restore --noflush; the first apply installs the hooks
// (PREROUTING, OUTPUT, POSTROUTING) and the sysctls NodePorts and hairpin traffic need.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "proxy/iptables_rules.hpp"
#include "proxy/service_proxy.hpp"

namespace capstan::proxy {

struct proxier_config {
  std::string service_cidr;  // routed to `interface` so that OUTPUT DNAT sees ClusterIPs
  std::string node_address;  // the node's InternalIP (finds the interface)
};

class iptables_proxier : public service_proxy {
public:
  explicit iptables_proxier(proxier_config config);
  // Stops the thread; the rules stay (a restarted agent resyncs them).
  ~iptables_proxier() override;

  // The whole desired state; returns at once.
  void update(std::vector<messages::service> services,
              std::vector<messages::endpoints> endpoints) override;
  void set_service_cidr(const std::string& cidr) override;

  // The last apply: how long from the update that triggered it until the rules were in place.
  std::chrono::microseconds last_latency() const;

private:
  void loop();
  void apply(const std::vector<service_port_plan>& plans);
  void prepare_node();

  proxier_config config_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::pair<std::vector<messages::service>, std::vector<messages::endpoints>>>
      pending_;
  std::chrono::steady_clock::time_point pending_since_;
  std::chrono::microseconds last_latency_{0};
  bool stopping_ = false;
  bool prepared_ = false;
  std::thread thread_;
};

}  // namespace capstan::proxy
