#include "nodeagent/pod_connect.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace capstan::nodeagent {

namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "%s\n", why.c_str());
  return 1;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Connects to localhost:port over IPv4, then IPv6 (as the kubelet does); -1 with `error` set.
int connect_localhost(uint16_t port, std::string& error) {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  v6.sin6_addr = in6addr_loopback;
  std::string v4_error, v6_error;
  for (int family : {AF_INET, AF_INET6}) {
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      (family == AF_INET ? v4_error : v6_error) = std::strerror(errno);
      continue;
    }
    int r = family == AF_INET ? ::connect(fd, reinterpret_cast<sockaddr*>(&v4), sizeof v4)
                              : ::connect(fd, reinterpret_cast<sockaddr*>(&v6), sizeof v6);
    if (r == 0)
      return fd;
    (family == AF_INET ? v4_error : v6_error) = std::strerror(errno);
    ::close(fd);
  }
  error = "IPv4: " + v4_error + ", IPv6: " + v6_error;
  return -1;
}

}  // namespace

int pod_connect_main(const std::string& netns_path, const std::string& port_text) {
  ::signal(SIGPIPE, SIG_IGN);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 1 || port > 65535)
    return fail("invalid port " + port_text);
  int ns = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0)
    return fail("cannot open the pod's network namespace " + netns_path + ": " +
                std::strerror(errno));
  if (::setns(ns, CLONE_NEWNET) != 0)
    return fail("cannot enter the pod's network namespace " + netns_path + ": " +
                std::strerror(errno));
  ::close(ns);
  std::string error;
  int conn = connect_localhost(static_cast<uint16_t>(port), error);
  if (conn < 0)
    return fail("failed to connect to localhost:" + port_text + " inside the pod's network " +
                "namespace: " + error);

  // Copy both ways at once, as the kubelet's two copies do: a pod that writes while it reads
  // must not wait for us to finish writing to it. stdin -> the pod on a thread of its own (the
  // namespace no longer matters: the socket is made); the pod -> stdout here. The pod's end of
  // the connection ends the process.
  std::thread to_pod([conn] {
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::read(0, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || !write_all(conn, buffer, static_cast<std::size_t>(n)))
        break;
    }
    ::shutdown(conn, SHUT_WR);  // stdin ended: the pod reads its end
  });
  to_pod.detach();
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(conn, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      std::fprintf(stderr, "reading from the pod: %s\n", std::strerror(errno));
      std::fflush(stderr);
      ::_exit(1);
    }
    if (n == 0 || !write_all(1, buffer, static_cast<std::size_t>(n)))
      ::_exit(0);  // the pod's side ended, or nobody reads any more
  }
}

}  // namespace capstan::nodeagent
