// The HTTPS front door: TLS with the master's serving certificate, bearer-token
// authentication (401 and nothing else happens without a valid token), then rest_handler; the
// node bootstrap paths (node_bootstrap.hpp) alone are answered without a token.
// Asynchronous (Boost.Beast) on a fixed set of threads, never CAF's; what clients can make it
// spend is bounded by server_limits, never by their number.
#pragma once

#include <memory>
#include <string>

#include "api/credentials.hpp"
#include "api/node_bootstrap.hpp"
#include "api/rest_handler.hpp"
#include "api/server_limits.hpp"

namespace capstan::api {

// Gauges of the server, for /metrics and tests.
struct server_stats {
  std::size_t connections = 0;
  std::size_t inflight_reads = 0;
  std::size_t inflight_mutating = 0;
  std::size_t long_running = 0;
  std::size_t watchers = 0;
  uint64_t refused_connections = 0;
  uint64_t throttled_requests = 0;
};

class api_server {
public:
  // Listens on host:port (port 0: any free port). Throws std::runtime_error if it cannot.
  // `bootstrap` answers the two paths nodes use before they have credentials (no token).
  api_server(caf::actor_system& system, actors::master& master, const tls_material& tls,
             token_table tokens, node_bootstrap bootstrap, const std::string& host,
             uint16_t port, server_limits limits = {});
  // Stops accepting, ends every connection (watches included, cleanly), joins the threads.
  ~api_server();

  uint16_t port() const { return port_; }
  server_stats stats() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace capstan::api
