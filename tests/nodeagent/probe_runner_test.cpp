// Tests nodeagent/probe_runner.cpp on 127.0.0.1: tcpSocket succeeds on a listening port and
// fails on a closed one; httpGet goes by the status code (200-399 pass), resolves named ports,
// and is bounded by its timeout against a server that never answers; HTTPS goes through TLS
// without checking the server's certificate.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "common/pki.hpp"
#include "nodeagent/probe_runner.hpp"

using namespace capstan;
using namespace capstan::nodeagent;

namespace {

// A socket listening on 127.0.0.1, on an ephemeral port (set in `port`).
int listen_on_loopback(int32_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  BOOST_REQUIRE(::listen(fd, 16) == 0);
  return fd;
}

// A listening socket on 127.0.0.1 (an ephemeral port); answers each connection with `reply`
// (nothing: accepts and stays silent) on a thread of its own.
struct local_server {
  int fd = -1;
  int32_t port = 0;
  std::string reply;
  std::atomic<bool> stopping{false};
  std::thread thread;

  explicit local_server(std::string answer) : reply(std::move(answer)) {
    fd = listen_on_loopback(port);
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

// A TLS server on 127.0.0.1 with a certificate from a CA nobody trusts; answers each connection
// with `reply` on a thread of its own.
struct tls_server {
  int fd = -1;
  int32_t port = 0;
  std::string reply;
  SSL_CTX* context = nullptr;
  std::atomic<bool> stopping{false};
  std::thread thread;

  explicit tls_server(std::string answer) : reply(std::move(answer)) {
    auto ca = common::certificate_authority::create("probe-test-ca", 1);
    auto [cert_pem, key_pem] = ca.issue_server_certificate("pod", {"127.0.0.1"}, 1);
    context = SSL_CTX_new(TLS_server_method());
    BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BOOST_REQUIRE(SSL_CTX_use_certificate(context, cert) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey(context, key) == 1);
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    fd = listen_on_loopback(port);
    thread = std::thread([this] {
      while (!stopping) {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0)
          return;
        SSL* ssl = SSL_new(context);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) {
          char buf[1024];
          (void)SSL_read(ssl, buf, sizeof buf);
          (void)SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
          SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        ::close(c);
      }
    });
  }
  ~tls_server() {
    stopping = true;
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    thread.join();
    SSL_CTX_free(context);
  }
};

messages::probe http(messages::int_or_string port, int timeout = 1,
                     const std::string& scheme = "HTTP") {
  messages::probe p;
  p.http_get = messages::http_get_action{"/healthz", port, "", scheme};
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

BOOST_AUTO_TEST_CASE(https_get_goes_through_tls_without_checking_the_certificate) {
  tls_server ok("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  auto good = run_probe(http(messages::int_or_string::of(ok.port), 2, "HTTPS"), local);
  BOOST_TEST(good.success, good.message);
  tls_server broken("HTTP/1.1 500 Internal Server Error\r\n\r\n");
  auto bad = run_probe(http(messages::int_or_string::of(broken.port), 2, "HTTPS"), local);
  BOOST_TEST(!bad.success);
  BOOST_TEST(bad.message == "HTTP probe failed with statuscode: 500");
  // A server speaking plain HTTP fails the handshake, and says so.
  local_server plain("HTTP/1.1 200 OK\r\n\r\n");
  auto refused = run_probe(http(messages::int_or_string::of(plain.port), 2, "HTTPS"), local);
  BOOST_TEST(!refused.success);
  BOOST_TEST(refused.message.find("https://127.0.0.1:") != std::string::npos, refused.message);
  BOOST_TEST(refused.message.find("TLS") != std::string::npos, refused.message);
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
