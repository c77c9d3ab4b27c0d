// Tests nodeagent/probe_runner.cpp on 127.0.0.1: tcpSocket succeeds on a listening port and
// fails on a closed one; httpGet goes by the status code (200-399 pass), resolves named ports,
// and is bounded by its timeout against a server that never answers.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "nodeagent/probe_runner.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

// A listening socket on 127.0.0.1 (an ephemeral port); answers each connection with `reply`
// (nothing: accepts and stays silent) on a thread of its own.
struct local_server {
  int fd = -1;
  int32_t port = 0;
  std::string reply;
  std::atomic<bool> stopping{false};
  std::thread thread;

  explicit local_server(std::string answer) : reply(std::move(answer)) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    BOOST_REQUIRE(::listen(fd, 16) == 0);
    thread = std::thread([this] {
      while (!stopping) {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0)
          return;
        char buf[1024];
        (void)::recv(c, buf, sizeof buf, 0);
        if (!reply.empty())
          (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        else
          std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        ::close(c);
      }
    });
  }
  ~local_server() {
    stopping = true;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    thread.join();
  }
};

// A port with nothing listening: bound, never listened on, so connecting is refused.
struct closed_port {
  int fd = -1;
  int32_t port = 0;
  closed_port() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~closed_port() { ::close(fd); }
};

messages::probe http(messages::int_or_string port, int timeout = 1) {
  messages::probe p;
  p.http_get = messages::http_get_action{"/healthz", port, "", "HTTP"};
  p.timeout_seconds = timeout;
  return p;
}

messages::probe tcp(int32_t port) {
  messages::probe p;
  p.tcp_socket = messages::tcp_socket_action{messages::int_or_string::of(port), ""};
  p.timeout_seconds = 1;
  return p;
}

const probe_target local{"127.0.0.1", {}, "", ""};

}  // namespace

BOOST_AUTO_TEST_CASE(tcp_socket_passes_on_a_listener_and_fails_on_a_closed_port) {
  local_server server("x");
  BOOST_TEST(run_probe(tcp(server.port), local).success);
  closed_port closed;
  auto out = run_probe(tcp(closed.port), local);
  BOOST_TEST(!out.success);
  BOOST_TEST(out.message.find("connection refused") != std::string::npos, out.message);
}

BOOST_AUTO_TEST_CASE(http_get_goes_by_the_status_code) {
  local_server ok("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
  BOOST_TEST(run_probe(http(messages::int_or_string::of(ok.port)), local).success);
  local_server redirect("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n");
  BOOST_TEST(run_probe(http(messages::int_or_string::of(redirect.port)), local).success);
  local_server broken("HTTP/1.1 503 Service Unavailable\r\n\r\n");
  auto out = run_probe(http(messages::int_or_string::of(broken.port)), local);
  BOOST_TEST(!out.success);
  BOOST_TEST(out.message == "HTTP probe failed with statuscode: 503");
  local_server junk("SSH-2.0-OpenSSH\r\n");
  BOOST_TEST(!run_probe(http(messages::int_or_string::of(junk.port)), local).success);
}

BOOST_AUTO_TEST_CASE(a_named_port_is_the_container_port_of_that_name) {
  local_server ok("HTTP/1.1 200 OK\r\n\r\n");
  probe_target target = local;
  messages::container_port named;
  named.name = "health";
  named.container_port = ok.port;
  target.ports.push_back(named);
  BOOST_TEST(run_probe(http(messages::int_or_string{true, 0, "health"}), target).success);
  auto out = run_probe(http(messages::int_or_string{true, 0, "nope"}), target);
  BOOST_TEST(!out.success);
  BOOST_TEST(out.message.find("names no port") != std::string::npos, out.message);
}

BOOST_AUTO_TEST_CASE(a_silent_server_fails_within_the_timeout) {
  local_server silent("");
  auto start = std::chrono::steady_clock::now();
  auto out = run_probe(http(messages::int_or_string::of(silent.port), 1), local);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(!out.success);
  BOOST_TEST(out.message.find("deadline exceeded") != std::string::npos, out.message);
  BOOST_TEST((took < std::chrono::milliseconds(2000)));
}

BOOST_AUTO_TEST_CASE(the_runner_runs_submitted_jobs_on_its_workers) {
  probe_runner runner(2);
  std::promise<std::thread::id> ran;
  auto got = ran.get_future();
  runner.submit([&] { ran.set_value(std::this_thread::get_id()); });
  BOOST_REQUIRE((got.wait_for(std::chrono::seconds(10)) == std::future_status::ready));
  BOOST_TEST((got.get() != std::this_thread::get_id()));
}
