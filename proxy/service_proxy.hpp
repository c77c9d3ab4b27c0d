// What a node agent asks of its service proxy, whatever the mode: keep the node's traffic
// rules (and, in userspace mode, its listeners) equal to the services and endpoints given.
#pragma once

#include <string>
#include <vector>

#include "messages/objects.hpp"

namespace capstan::proxy {

class service_proxy {
public:
  virtual ~service_proxy() = default;
  // The whole desired state; returns at once (work happens on the proxy's own threads).
  virtual void update(std::vector<messages::service> services,
                      std::vector<messages::endpoints> endpoints) = 0;
  // The ClusterIP range, routed to the node's interface so that OUTPUT DNAT sees ClusterIPs.
  virtual void set_service_cidr(const std::string& cidr) = 0;
};

}  // namespace capstan::proxy
