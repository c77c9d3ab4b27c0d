// The userspace proxy's data path (seed 004): one listening socket per service port, on an
// ephemeral local port; each accepted connection goes to the next endpoint in round-robin
// order, skipping endpoints that refuse (they are tried again after 5 s), and bytes are copied
// both ways until either side closes. Boost.Asio on one thread of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace capstan::proxy {

class tcp_relay {
public:
  tcp_relay();
  ~tcp_relay();
  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  // Opens (or keeps) the listener for `key` and returns its local port. Blocks briefly.
  uint16_t open(const std::string& key);
  // The endpoints new connections of `key` go to.
  void set_endpoints(const std::string& key,
                     std::vector<std::pair<std::string, int32_t>> endpoints);
  // Closes the listener (connections in flight finish).
  void close(const std::string& key);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace capstan::proxy
