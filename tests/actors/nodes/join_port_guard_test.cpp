// Tests actors/nodes/join_port_guard.cpp with plain loopback TCP: idle connections to the
// guarded port are shut down after the grace, admitted peers and other ports are left alone.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/nodes/join_port_guard.hpp"

using namespace capstan::actors;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// Owns one fd.
class unique_fd {
public:
  explicit unique_fd(int fd = -1) : fd_(fd) {}
  unique_fd(unique_fd&& other) noexcept : fd_(other.release()) {}
  unique_fd& operator=(unique_fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_;
};

struct listener {
  unique_fd fd;
  uint16_t port = 0;
};

listener listen_on_loopback() {
  listener l;
  l.fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  BOOST_REQUIRE(l.fd.get() >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(l.fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  BOOST_REQUIRE(::listen(l.fd.get(), 4096) == 0);
  socklen_t len = sizeof(sa);
  BOOST_REQUIRE(::getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  l.port = ntohs(sa.sin_port);
  return l;
}

// Both ends of one loopback connection: `server` is the accepted side, as CAF would hold it.
struct connection {
  unique_fd client, server;
};

connection connect_to(const listener& l, unique_fd client = unique_fd()) {
  connection c;
  if (client.get() < 0)
    client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  c.client = std::move(client);
  BOOST_REQUIRE(c.client.get() >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(l.port);
  BOOST_REQUIRE(::connect(c.client.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  c.server.reset(::accept4(l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
  BOOST_REQUIRE(c.server.get() >= 0);
  return c;
}

// The local port of the client side: the peer port the server (and the guard) sees.
uint16_t local_port(int fd) {
  sockaddr_in sa{};
  socklen_t len = sizeof(sa);
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  return ntohs(sa.sin_port);
}

// True once a read on `fd` returns 0 or ECONNRESET before `deadline`; false if the deadline
// passes with the connection still open. No data is ever sent in these tests.
bool eof_before(int fd, steady::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r > 0) {
      char byte;
      ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno == ECONNRESET))
        return true;
    }
    if (steady::now() >= deadline)
      return false;
  }
}

bool still_open(int fd) {
  return !eof_before(fd, steady::now());
}

bool becomes_true(const std::function<bool()>& condition, steady::time_point deadline) {
  for (;;) {
    if (condition())
      return true;
    if (steady::now() >= deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
}

void raise_fd_limit(rlim_t wanted) {
  rlimit lim{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &lim) == 0);
  if (lim.rlim_cur >= wanted)
    return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > wanted ? wanted : lim.rlim_max;
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lim) == 0);
  BOOST_REQUIRE_MESSAGE(lim.rlim_cur >= wanted, "RLIMIT_NOFILE hard limit below " << wanted);
}

unique_fd open_proc_fd_dir() {
  unique_fd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  BOOST_REQUIRE(dir.get() >= 0);
  return dir;
}

ino_t inode_of(int fd) {
  struct stat st {};
  BOOST_REQUIRE(::fstat(fd, &st) == 0);
  return st.st_ino;
}

constexpr auto grace = 300ms;
constexpr auto period = 50ms;

}  // namespace

BOOST_AUTO_TEST_CASE(the_listing_has_accepted_connections_only) {
  auto l = listen_on_loopback();
  auto other = listen_on_loopback();
  auto a = connect_to(l);
  auto b = connect_to(l);
  auto elsewhere = connect_to(other);
  auto dir = open_proc_fd_dir();
  auto found = list_join_port_connections(dir.get(), l.port);
  // Not the listener, not the client ends (their peer port is l.port, their local port is not).
  BOOST_REQUIRE_EQUAL(found.size(), 2u);
  for (const auto& c : found) {
    const auto& expected = c.fd == a.server.get() ? a : b;
    BOOST_TEST(c.fd == expected.server.get());
    BOOST_TEST(c.inode == inode_of(expected.server.get()));
    BOOST_TEST(c.peer_address == "127.0.0.1");
    BOOST_TEST(c.peer_port == local_port(expected.client.get()));
  }
}

BOOST_AUTO_TEST_CASE(an_idle_connection_is_shut_down_after_the_grace) {
  auto l = listen_on_loopback();
  join_port_guard guard({l.port, grace, period});
  auto start = steady::now();
  auto c = connect_to(l);
  BOOST_REQUIRE(eof_before(c.server.get(), start + 5s));
  auto elapsed = steady::now() - start;
  BOOST_TEST_MESSAGE("shut down after "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                     << " ms (grace 300 ms, period 50 ms)");
  BOOST_CHECK(elapsed >= grace);
  BOOST_TEST(eof_before(c.client.get(), steady::now() + 1s));  // the peer saw the FIN
  BOOST_TEST(becomes_true([&] { return guard.closed_connections() == 1; }, steady::now() + 1s));
  // The listener has no peer and is never shut down: it still accepts.
  auto later = connect_to(l);
  BOOST_TEST(still_open(later.server.get()));
}

BOOST_AUTO_TEST_CASE(an_admitted_peer_is_left_alone_until_forgotten) {
  auto l = listen_on_loopback();
  join_port_guard guard({l.port, grace, period});
  auto start = steady::now();
  auto node = connect_to(l);
  auto stranger = connect_to(l);
  guard.admit("127.0.0.1", local_port(node.client.get()));
  BOOST_REQUIRE(eof_before(stranger.server.get(), start + 5s));  // the guard has run past grace
  BOOST_TEST(!eof_before(node.server.get(), start + 3 * grace));
  BOOST_TEST(still_open(node.client.get()));
  BOOST_TEST(guard.closed_connections() == 1u);
  guard.forget("127.0.0.1", local_port(node.client.get()));
  BOOST_TEST(eof_before(node.server.get(), steady::now() + 5s));
  BOOST_TEST(becomes_true([&] { return guard.closed_connections() == 2; }, steady::now() + 1s));
}

BOOST_AUTO_TEST_CASE(connections_on_another_port_are_never_touched) {
  auto l = listen_on_loopback();
  auto other = listen_on_loopback();
  join_port_guard guard({l.port, grace, period});
  auto start = steady::now();
  auto guarded = connect_to(l);
  auto unguarded = connect_to(other);
  BOOST_REQUIRE(eof_before(guarded.server.get(), start + 5s));
  BOOST_TEST(!eof_before(unguarded.server.get(), start + 3 * grace));
  BOOST_TEST(still_open(unguarded.client.get()));
  BOOST_TEST(guard.closed_connections() == 1u);
}

// A connection on a reused fd number is a new one: its grace starts when it is first seen, not
// when the fd number's previous connection was.
BOOST_AUTO_TEST_CASE(a_reused_fd_number_starts_a_new_grace) {
  auto l = listen_on_loopback();
  constexpr auto long_grace = 400ms;
  join_port_guard guard({l.port, long_grace, 20ms});
  auto first = connect_to(l);
  int number = first.server.get();
  ino_t old_inode = inode_of(number);
  std::this_thread::sleep_for(long_grace / 2);  // the guard has seen `first` by now
  unique_fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));  // before the close
  auto reused_at = steady::now();
  first.server.reset();  // frees `number`, which accept4 hands out again (lowest free fd)
  auto second = connect_to(l, std::move(client));
  BOOST_REQUIRE_EQUAL(second.server.get(), number);
  BOOST_REQUIRE(inode_of(number) != old_inode);
  // Keyed on the fd number alone, the guard would shut it down ~200 ms after the reuse.
  BOOST_TEST(!eof_before(second.server.get(), reused_at + long_grace - 50ms));
  BOOST_TEST(eof_before(second.server.get(), reused_at + 5s));
  BOOST_TEST(becomes_true([&] { return guard.closed_connections() == 1; }, steady::now() + 1s));
}

BOOST_AUTO_TEST_CASE(five_hundred_idle_connections_are_all_shut_down) {
  raise_fd_limit(4096);
  auto l = listen_on_loopback();
  join_port_guard guard({l.port, grace, period});
  std::vector<connection> connections;
  auto start = steady::now();
  for (int i = 0; i < 500; ++i)
    connections.push_back(connect_to(l));
  auto opened = steady::now();
  auto deadline = opened + grace + 10 * period;
  int shut = 0;
  for (auto& c : connections)
    shut += eof_before(c.server.get(), deadline) ? 1 : 0;
  auto last = steady::now();
  auto ms = [](steady::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  BOOST_TEST_MESSAGE("500 connections opened in " << ms(opened - start) << " ms; all shut down "
                                                  << ms(last - opened)
                                                  << " ms after the last was opened");
  BOOST_TEST(shut == 500);
  BOOST_TEST(becomes_true([&] { return guard.closed_connections() == 500; }, steady::now() + 1s));
}

BOOST_AUTO_TEST_CASE(the_destructor_returns_promptly) {
  auto l = listen_on_loopback();
  auto guard = std::make_unique<join_port_guard>(join_port_guard::options{l.port, 10s, 1h});
  std::this_thread::sleep_for(20ms);  // let the thread reach its wait
  auto start = steady::now();
  guard.reset();
  auto elapsed = steady::now() - start;
  BOOST_TEST_MESSAGE("destructor took "
                     << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()
                     << " us");
  BOOST_CHECK(elapsed < 1s);
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused) {
  BOOST_CHECK_THROW(join_port_guard({0, grace, period}), std::invalid_argument);
  BOOST_CHECK_THROW(join_port_guard({1234, grace, 0ms}), std::invalid_argument);
}

// The cost of one scan when the process holds many sockets on other ports (the API server may
// hold thousands): one getsockname per fd.
BOOST_AUTO_TEST_CASE(a_scan_over_5000_sockets_is_cheap) {
  raise_fd_limit(12000);
  auto l = listen_on_loopback();
  auto api = listen_on_loopback();
  std::vector<connection> connections;
  for (int i = 0; i < 2500; ++i)
    connections.push_back(connect_to(api));
  auto joined = connect_to(l);
  auto dir = open_proc_fd_dir();
  constexpr int scans = 50;
  std::size_t found = 0;
  auto cpu_now = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  auto start = steady::now();
  auto cpu_start = cpu_now();
  for (int i = 0; i < scans; ++i)
    found += list_join_port_connections(dir.get(), l.port).size();
  auto per_scan =
      std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start) / scans;
  auto cpu_per_scan =
      std::chrono::duration_cast<std::chrono::microseconds>(cpu_now() - cpu_start) / scans;
  BOOST_TEST_MESSAGE("one scan over " << 2 * connections.size() + 5
                                      << " sockets: " << per_scan.count() << " us wall, "
                                      << cpu_per_scan.count() << " us CPU");
  BOOST_TEST(found == static_cast<std::size_t>(scans));
  BOOST_CHECK(per_scan < 50ms);  // a regression bound, far above the measured cost
}
