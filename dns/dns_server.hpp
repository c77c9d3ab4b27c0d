// A node's DNS server: answers the cluster's names from its zone (cluster_zone.hpp) on UDP and
// TCP, and forwards every other name to the node's own resolvers. One thread of its own (never
// CAF's); what clients can make it hold is bounded: one datagram buffer, at most
// max_pending_forwards forwarded questions (each answered SERVFAIL after upstream_timeout),
// at most max_tcp_connections TCP clients (each closed after tcp_idle_timeout without a full
// query, and at most 64 KiB read at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/cluster_zone.hpp"

namespace capstan::dns {

struct dns_server_settings {
  std::string address = "127.0.0.1";  // where to listen (an IPv4 address of this host)
  uint16_t port = 53;                 // 0: any free port (the same one for UDP and TCP)
  // Bind even when `address` is not (yet) one of this host's (IP_FREEBIND): a node's bridge
  // gets its address only when its pod network is set up.
  bool freebind = false;
  // Where other names go: "IP" (port 53) or "IP:PORT", tried in turn. None: SERVFAIL.
  std::vector<std::string> upstreams;
  std::chrono::milliseconds upstream_timeout{2000};
  std::size_t max_pending_forwards = 4096;
  std::size_t max_tcp_connections = 256;
  std::chrono::milliseconds tcp_idle_timeout{10000};
};

struct dns_server_stats {
  uint64_t queries = 0;     // questions read (UDP and TCP)
  uint64_t answered = 0;    // from the zone
  uint64_t forwarded = 0;   // sent upstream
  uint64_t failed = 0;      // SERVFAIL: no upstream, timeouts, too many pending
  uint64_t refused = 0;     // malformed, other opcodes or classes
  std::size_t tcp_connections = 0;
};

class dns_server {
public:
  // Binds UDP and TCP on settings.address:port and starts serving an empty zone. Throws
  // std::runtime_error when it cannot bind (the port in use, no such address, no permission).
  dns_server(dns_server_settings settings, zone_settings zone);
  // Stops: the thread is joined, sockets closed.
  ~dns_server();
  dns_server(const dns_server&) = delete;
  dns_server& operator=(const dns_server&) = delete;

  // The cluster's services and endpoints now: the zone is rebuilt on the server's thread
  // (updates coalesce: the newest wins). Returns at once; thread-safe.
  void update(std::vector<messages::service> services, std::vector<messages::endpoints> endpoints);
  // The port UDP and TCP listen on.
  uint16_t port() const;
  dns_server_stats stats() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// The nameserver addresses of a resolv.conf text, in order ("IP" or "IP:53").
std::vector<std::string> resolv_conf_nameservers(const std::string& text);

}  // namespace capstan::dns
