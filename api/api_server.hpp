// The HTTPS front door: TLS with the master's serving certificate, bearer-token
// authentication (401 and nothing else happens without a valid token), then rest_handler.
// Runs on its own threads, never on CAF's.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "api/credentials.hpp"
#include "api/rest_handler.hpp"

namespace capstan::api {

class api_server {
public:
  // Listens on host:port (port 0: any free port). Throws std::runtime_error if it cannot.
  api_server(caf::actor_system& system, actors::master& master, const tls_material& tls,
             token_table tokens, const std::string& host, uint16_t port);
  // Stops accepting, ends every connection (watches included), joins the threads.
  ~api_server();

  uint16_t port() const { return port_; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace capstan::api
