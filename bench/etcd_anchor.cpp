#include "bench/etcd_anchor.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/process.hpp"

namespace capstan::bench {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string base64(const std::string& in) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0})
      out += table[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (access((dir + "/" + program).c_str(), X_OK) == 0)
      return true;
  return false;
}

// A port nobody listens on right now (the kernel's pick).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// One keep-alive client connection to etcd's gateway.
class etcd_client {
public:
  explicit etcd_client(int port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  // Returns the HTTP status (0 when the connection failed).
  int send(http::verb verb, const std::string& target, const std::string& body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    boost::beast::error_code ec;
    http::write(socket_, req, ec);
    if (ec)
      return 0;
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res, ec);
    return ec ? 0 : res.result_int();
  }

private:
  asio::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace

etcd_result run_etcd_anchor(const etcd_options& o) {
  etcd_result result;
  if (!on_path("etcd")) {
    result.skipped = "etcd is not installed (apt-get install etcd-server)";
    return result;
  }
  if (o.members < 1 || o.members > 7) {
    result.skipped = "1 to 7 etcd members, not " + std::to_string(o.members);
    return result;
  }
  struct etcd_member {
    std::string name;
    int client_port = -1, peer_port = -1;
    pid_t pid = -1;
  };
  std::vector<etcd_member> members(o.members);
  std::set<int> ports;
  std::string initial_cluster;
  for (int i = 0; i < o.members; ++i) {
    auto& m = members[i];
    m.name = "capstan-bench-" + std::to_string(i + 1);
    m.client_port = free_port();
    m.peer_port = free_port();
    ports.insert(m.client_port);
    ports.insert(m.peer_port);
    initial_cluster += (i ? "," : "") + m.name + "=http://127.0.0.1:" + std::to_string(m.peer_port);
  }
  if (ports.size() != 2 * members.size() || *ports.begin() <= 0) {
    result.skipped = "no free ports on 127.0.0.1";
    return result;
  }
  std::filesystem::create_directories(o.data_dir);
  auto log_of = [&](const etcd_member& m) { return (o.data_dir / (m.name + ".log")).string(); };
  auto stop = [&] {
    for (auto& m : members)
      if (m.pid > 0)
        kill(m.pid, SIGTERM);
    for (auto& m : members)
      if (m.pid > 0) {
        common::wait_for_exit(m.pid);
        m.pid = -1;
      }
    std::error_code ignored;
    std::filesystem::remove_all(o.data_dir, ignored);
  };
  for (auto& m : members) {
    std::string client_url = "http://127.0.0.1:" + std::to_string(m.client_port);
    std::string peer_url = "http://127.0.0.1:" + std::to_string(m.peer_port);
    std::vector<std::string> etcd = {"etcd",
                                     "--name",
                                     m.name,
                                     "--data-dir",
                                     (o.data_dir / m.name).string(),
                                     "--listen-client-urls",
                                     client_url,
                                     "--advertise-client-urls",
                                     client_url,
                                     "--listen-peer-urls",
                                     peer_url,
                                     "--initial-advertise-peer-urls",
                                     peer_url,
                                     "--initial-cluster",
                                     initial_cluster,
                                     "--initial-cluster-state",
                                     "new",
                                     "--initial-cluster-token",
                                     "capstan-bench-" + std::to_string(getpid()),
                                     "--logger",
                                     "zap",
                                     "--log-outputs",
                                     log_of(m),
                                     "--quota-backend-bytes",
                                     "8589934592"};
    // Through sh only to send etcd's own stderr (its gateway's dial warnings) to the log too;
    // exec keeps the PID etcd's.
    std::string line = "exec";
    for (const auto& arg : etcd)
      line += " '" + arg + "'";
    line += " 2>>'" + log_of(m) + "'";
    m.pid = common::start_process({"sh", "-c", line});
    if (m.pid < 0) {
      result.skipped = "etcd did not start";
      stop();
      return result;
    }
  }
  // Ready when a put succeeds through every member (the cluster has a leader, and each member
  // reaches it).
  const std::string probe =
      R"({"key":")" + base64("/capstan-bench/ready") + R"(","value":")" + base64("1") + R"("})";
  for (auto& m : members) {
    bool ready = false;
    for (int attempt = 0; attempt < 300 && !ready; ++attempt) {
      if (common::exit_status(m.pid)) {
        m.pid = -1;
        break;
      }
      try {
        etcd_client c(m.client_port);
        ready = c.send(http::verb::post, "/v3/kv/put", probe) == 200;
      } catch (const std::exception&) {
      }
      if (!ready)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!ready) {
      result.skipped = "etcd member " + m.name + " did not become ready (see its log: " +
                       log_of(m) + ")";
      stop();
      return result;
    }
  }
  const std::string value = base64(std::string(o.value_bytes, 'x'));
  std::atomic<uint64_t> next{0}, failed{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c)
    clients.emplace_back([&, port = members[c % members.size()].client_port] {
      try {
        etcd_client client(port);
        for (uint64_t n = next++; n < o.writes; n = next++) {
          std::string body = R"({"key":")" + base64("/capstan-bench/" + std::to_string(n)) +
                             R"(","value":")" + value + R"("})";
          if (client.send(http::verb::post, "/v3/kv/put", body) != 200)
            ++failed;
        }
      } catch (const std::exception&) {
        ++failed;
      }
    });
  for (auto& t : clients)
    t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop();
  if (failed > 0) {
    result.skipped = std::to_string(failed.load()) + " etcd writes failed";
    return result;
  }
  result.ran = true;
  result.writes = o.writes;
  result.per_second = o.writes / result.seconds;
  return result;
}

}  // namespace capstan::bench
