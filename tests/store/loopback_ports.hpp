// A loopback port for a test's listener, chosen so that nothing else takes it in between.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <random>
#include <stdexcept>

namespace capstan::test {

// A port of 127.0.0.1 free now, below the kernel's ephemeral range (32768 and up by default),
// so that no outgoing connection is given it before the caller binds it.
inline uint16_t unused_loopback_port() {
  static std::mt19937 random{std::random_device{}()};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    auto port = static_cast<uint16_t>(20000 + random() % 12000);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
      break;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free)
      return port;
  }
  throw std::runtime_error("no free loopback port between 20000 and 32000");
}

}  // namespace capstan::test
