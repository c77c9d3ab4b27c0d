// Tests actors/nodes/join_port_guard.cpp against CAF 0.17's middleman, plain and with
// caf_openssl (anonymous-cipher TLS here; the master will use mutual TLS): the guard's shutdown
// ends idle, truncated and junk connections to a published port without harming CAF, and the
// middleman's (get_atom, node_id) names a connected node by the peer address and port the guard
// sees.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
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
  unique_fd(unique_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ~unique_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }

private:
  int fd_;
};

unique_fd connect_raw(uint16_t port) {
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  BOOST_REQUIRE(fd.get() >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(port);
  BOOST_REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  return fd;
}

// Reads and discards until the server ends the connection (0 or ECONNRESET) or `deadline`.
// The server may send its BASP handshake first, so data is not an answer.
bool closed_by_server_before(int fd, steady::time_point deadline) {
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (r < 0 && errno == EINTR)
      continue;
    if (r > 0) {
      ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno == ECONNRESET))
        return true;
    }
    if (steady::now() >= deadline)
      return false;
  }
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

void send_all(int fd, const std::vector<char>& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;  // EPIPE / ECONNRESET: the server has ended the connection
    sent += static_cast<std::size_t>(n);
  }
}

std::vector<char> junk(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<char> bytes(size);
  for (auto& b : bytes)
    b = static_cast<char>(random());
  return bytes;
}

// The local (address, port) of this process's TCP sockets connected to `port` on the other
// side, i.e. the client ends: what the server sees as their peers.
std::vector<std::pair<std::string, uint16_t>> client_ends_connected_to(uint16_t port) {
  std::vector<std::pair<std::string, uint16_t>> found;
  for (int fd = 0; fd < 4096; ++fd) {
    sockaddr_in local{}, remote{};
    socklen_t len = sizeof(local);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 ||
        local.sin_family != AF_INET)
      continue;
    len = sizeof(remote);
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &len) != 0 ||
        ntohs(remote.sin_port) != port || ntohs(local.sin_port) == port)
      continue;
    char text[INET_ADDRSTRLEN] = {0};
    inet_ntop(AF_INET, &local.sin_addr, text, sizeof(text));
    found.emplace_back(text, ntohs(local.sin_port));
  }
  return found;
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

caf::behavior incrementer() {
  return {[](int x) { return x + 1; }};
}

enum class transport { plain, tls };

struct caf_config : caf::actor_system_config {
  explicit caf_config(transport t) {
    load<caf::io::middleman>();
    if (t == transport::tls)
      load<caf::openssl::manager>();
  }
};

// A publishing "master" system with an actor on 127.0.0.1:<port>.
struct master_fixture {
  transport kind;
  caf_config cfg{kind};
  caf::actor_system system{cfg};
  caf::actor published = system.spawn(incrementer);
  uint16_t port = 0;

  // `address`: nullptr publishes on all interfaces.
  explicit master_fixture(transport t, const char* address = "127.0.0.1") : kind(t) {
    auto p = t == transport::tls ? caf::openssl::publish(published, 0, address, true)
                                 : system.middleman().publish(published, 0, address, true);
    if (!p)
      BOOST_FAIL("publish: " << system.render(p.error()));
    port = *p;
  }
  ~master_fixture() { caf::anon_send_exit(published, caf::exit_reason::user_shutdown); }
};

caf::expected<caf::actor> connect_node(caf::actor_system& node, transport t, uint16_t port) {
  if (t == transport::tls)
    return caf::openssl::remote_actor<caf::actor>(node, "127.0.0.1", port);
  return node.middleman().remote_actor<caf::actor>("127.0.0.1", port);
}

// Asks `remote` (through `system`) to increment 41; true if 42 comes back.
bool answers(caf::actor_system& system, const caf::actor& remote) {
  caf::scoped_actor self{system};
  bool ok = false;
  self->request(remote, 5s, 41)
      .receive([&](int y) { ok = y == 42; },
               [&](caf::error& e) { BOOST_TEST_MESSAGE("request: " << system.render(e)); });
  return ok;
}

// Connects a fresh node system to the master and asks the published actor; true on an answer.
bool a_node_gets_an_answer(transport t, uint16_t port) {
  caf_config cfg{t};
  caf::actor_system node{cfg};
  auto remote = connect_node(node, t, port);
  if (!remote) {
    BOOST_TEST_MESSAGE("remote_actor: " << node.render(remote.error()));
    return false;
  }
  return answers(node, *remote);
}

// The attack's node is not admitted (no join proof here): it must complete its handshake and
// get its answer within the grace, counted from CAF's accept. 300 ms was too short for that
// under ASan with a parallel test (a clean-clone CI run: the node's connection was shut down
// with the idle ones and its request timed out), so the grace is 2 s; the idle connections
// still have to be shut down by the guard, nothing else ends them.
constexpr auto grace = 2000ms;
constexpr auto period = 50ms;

// 500 idle connections, a truncated handshake, 100 random bytes and 10 MB of junk against a
// guarded CAF port: all are closed, and a node is served during and after.
void check_an_attack_is_survived(transport t) {
  raise_fd_limit(4096);
  master_fixture master(t);
  join_port_guard guard({master.port, grace, period});
  auto start = steady::now();
  std::vector<unique_fd> idle;
  for (int i = 0; i < 500; ++i)
    idle.push_back(connect_raw(master.port));
  auto truncated = connect_raw(master.port);
  if (t == transport::plain) {
    // The first 16 bytes of the 32-byte BASP header the server sends on accept.
    char header[32];
    pollfd p{truncated.get(), POLLIN, 0};
    BOOST_REQUIRE(::poll(&p, 1, 5000) == 1);
    BOOST_REQUIRE(::recv(truncated.get(), header, sizeof(header), 0) > 16);
    send_all(truncated.get(), std::vector<char>(header, header + 16));
  } else {
    // The start of a TLS ClientHello whose record announces 512 bytes.
    send_all(truncated.get(), {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0x7c, 0x03, 0x03});
  }
  auto random_bytes = connect_raw(master.port);
  send_all(random_bytes.get(), junk(100, 1));
  auto flood = connect_raw(master.port);
  std::thread flooder([&] { send_all(flood.get(), junk(10 << 20, 2)); });
  auto ms_since = [](steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - t).count();
  };

  // Not stalled: during the attack a node connects, completes its handshake and is answered.
  auto asked = steady::now();
  BOOST_TEST(a_node_gets_an_answer(t, master.port));
  BOOST_TEST_MESSAGE("a node's connect and first answer during the attack: " << ms_since(asked)
                                                                             << " ms");

  // Generous: with caf_openssl each accept costs the multiplexer a new SSL_CTX (~3 ms here).
  auto deadline = start + grace + 10s;
  int closed = 0;
  for (auto& fd : idle)
    closed += closed_by_server_before(fd.get(), deadline) ? 1 : 0;
  BOOST_TEST(closed == 500);
  BOOST_TEST(closed_by_server_before(truncated.get(), deadline));
  BOOST_TEST(closed_by_server_before(random_bytes.get(), deadline));
  BOOST_TEST(closed_by_server_before(flood.get(), deadline));
  flooder.join();
  BOOST_TEST_MESSAGE("all closed " << ms_since(start)
                                   << " ms after the first connect; the guard "
                                      "shut down "
                                   << guard.closed_connections());
  // The idle ones can only have been ended by the guard; the others CAF may end itself.
  BOOST_TEST(guard.closed_connections() >= 500u);

  // After the attack: CAF has closed its ends too, and still serves a new node.
  unique_fd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  BOOST_TEST(
      becomes_true([&] { return list_join_port_connections(dir.get(), master.port).empty(); },
                   steady::now() + 3s));
  asked = steady::now();
  BOOST_TEST(a_node_gets_an_answer(t, master.port));
  BOOST_TEST_MESSAGE("a node's connect and first answer after the attack: " << ms_since(asked)
                                                                            << " ms");
}

// Connects a node system to a master published on `bind_address` (nullptr: all interfaces,
// where CAF listens on IPv6 and sees IPv4 peers as "::ffff:a.b.c.d"), asks the master's
// middleman for the node's address and port, checks them against both ends of the connection,
// admits them in a guard and checks the connection outlives the grace until forgotten.
void check_the_middleman_names_a_node_by_the_peer_the_guard_sees(transport t,
                                                                 const char* bind_address) {
  master_fixture master(t, bind_address);
  constexpr auto node_grace = 1000ms;
  join_port_guard guard({master.port, node_grace, period});
  caf_config cfg2{t};
  caf::actor_system node{cfg2};
  auto remote = connect_node(node, t, master.port);
  if (!remote)
    BOOST_FAIL("remote_actor: " << node.render(remote.error()));
  BOOST_REQUIRE(answers(node, *remote));

  // What the integration will pass to admit(): the publishing side asks its middleman.
  std::string address;
  uint16_t peer_port = 0;
  {
    caf::scoped_actor self{master.system};
    auto middleman = t == transport::tls ? master.system.openssl_manager().actor_handle()
                                         : master.system.middleman().actor_handle();
    self->request(middleman, 5s, caf::get_atom::value, node.node())
        .receive(
            [&](const caf::node_id& id, const std::string& a, uint16_t p) {
              BOOST_CHECK(id == node.node());
              address = a;
              peer_port = p;
            },
            [&](caf::error& e) { BOOST_FAIL("get_atom: " << master.system.render(e)); });
  }
  BOOST_TEST_MESSAGE((t == transport::tls ? "openssl, " : "plain, ")
                     << "published on " << (bind_address ? bind_address : "all interfaces")
                     << ": middleman get_atom gives address \"" << address << "\" port "
                     << peer_port);
  // The client end of the node's connection, seen from the node side (getsockname, IPv4;
  // an IPv6 listener sees it as the IPv4-mapped address).
  auto clients = client_ends_connected_to(master.port);
  BOOST_REQUIRE_EQUAL(clients.size(), 1u);
  BOOST_TEST(address == (bind_address ? "" : "::ffff:") + clients[0].first);
  BOOST_TEST(peer_port == clients[0].second);
  // The same pair as the guard's view of the server end (getpeername).
  unique_fd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto seen = list_join_port_connections(dir.get(), master.port);
  BOOST_REQUIRE_EQUAL(seen.size(), 1u);
  BOOST_TEST(seen[0].peer_address == address);
  BOOST_TEST(seen[0].peer_port == peer_port);

  guard.admit(address, peer_port);
  auto admitted = steady::now();
  uint64_t strangers = 0;
  {
    // A stranger connecting now is shut down after the grace: the guard is running. (With
    // caf_openssl, its failed handshake must leave the node's session alone: see below.)
    auto stranger = connect_raw(master.port);
    BOOST_REQUIRE(closed_by_server_before(stranger.get(), admitted + node_grace + 3s));
    strangers = 1;
  }
  std::this_thread::sleep_until(admitted + 3 * node_grace);  // well past the grace
  BOOST_TEST(answers(node, *remote));
  BOOST_TEST(guard.closed_connections() == strangers);

  // Forgotten, the node's connection is shut down and CAF on both sides lets it go: the
  // node's proxy of the published actor goes down, both ends of the connection are closed.
  caf::scoped_actor watcher{node};
  watcher->monitor(*remote);
  guard.forget(address, peer_port);
  BOOST_TEST(becomes_true([&] { return guard.closed_connections() == strangers + 1; },
                          steady::now() + node_grace + 3s));
  bool down = false;
  watcher->receive([&](const caf::down_msg& m) { down = m.source == *remote; },
                   caf::after(std::chrono::seconds(5)) >> [] {});
  BOOST_TEST(down);
  BOOST_TEST(becomes_true([&] { return client_ends_connected_to(master.port).empty(); },
                          steady::now() + 3s));
  BOOST_TEST(
      becomes_true([&] { return list_join_port_connections(dir.get(), master.port).empty(); },
                   steady::now() + 3s));
}

}  // namespace

BOOST_AUTO_TEST_CASE(idle_truncated_and_junk_connections_are_closed_and_caf_keeps_working) {
  check_an_attack_is_survived(transport::plain);
}

BOOST_AUTO_TEST_CASE(the_same_with_caf_openssl) {
  check_an_attack_is_survived(transport::tls);
}

BOOST_AUTO_TEST_CASE(the_middleman_names_a_node_by_the_peer_the_guard_sees) {
  check_the_middleman_names_a_node_by_the_peer_the_guard_sees(transport::plain, "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(the_middleman_names_a_node_on_all_interfaces_as_the_guard_sees_it) {
  check_the_middleman_names_a_node_by_the_peer_the_guard_sees(transport::plain, nullptr);
}

BOOST_AUTO_TEST_CASE(the_openssl_middleman_names_a_node_by_the_peer_the_guard_sees) {
  check_the_middleman_names_a_node_by_the_peer_the_guard_sees(transport::tls, "127.0.0.1");
}

// caf_openssl 0.17.6 as Debian builds it (logging compiled out) never drains OpenSSL's
// per-thread error queue: it does so only inside CAF_LOG_INFO(... get_ssl_error()). A TLS
// handshake that fails (the peer closes, sends junk, or the guard shuts it down) leaves an error
// queued on the multiplexer thread; the next SSL_read of a healthy session that would block then
// reads as SSL_ERROR_SSL and CAF drops that session. Verified here: clearing the queue
// (ERR_clear_error) before SSL_read/SSL_write/SSL_accept/SSL_connect, by interposing those
// symbols in the executable, makes this test pass: common/openssl_error_queue.cpp, linked
// into this test as into every capstan executable.
BOOST_AUTO_TEST_CASE(a_failed_tls_handshake_leaves_node_sessions_alone) {
  master_fixture master(transport::tls);
  caf_config cfg2{transport::tls};
  caf::actor_system node{cfg2};
  auto remote = connect_node(node, transport::tls, master.port);
  if (!remote)
    BOOST_FAIL("remote_actor: " << node.render(remote.error()));
  BOOST_REQUIRE(answers(node, *remote));
  unique_fd dir(::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  {
    auto stranger = connect_raw(master.port);
    BOOST_REQUIRE(
        becomes_true([&] { return list_join_port_connections(dir.get(), master.port).size() == 2; },
                     steady::now() + 3s));
  }  // closed before its handshake completes
  BOOST_TEST(
      becomes_true([&] { return list_join_port_connections(dir.get(), master.port).size() == 1; },
                   steady::now() + 3s));
  BOOST_TEST(answers(node, *remote));
  BOOST_TEST(list_join_port_connections(dir.get(), master.port).size() == 1u);
}
