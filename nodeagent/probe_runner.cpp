#include "nodeagent/probe_runner.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "common/process.hpp"

namespace capstan::nodeagent {

namespace {

using steady = std::chrono::steady_clock;

probe_outcome failed(std::string why) {
  if (why.size() > 1024)
    why.resize(1024);
  return {false, std::move(why)};
}

// strerror as Go (and so the kubelet's messages) words it: "connection refused".
std::string error_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

int remaining_ms(steady::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// A socket connected to host:port before `deadline`, or -1 with `why` set.
int connect_before(const std::string& host, int32_t port, steady::time_point deadline,
                   std::string& why) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    why = "\"" + host + "\" is not an IPv4 address";
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    why = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  const std::string where = host + ":" + std::to_string(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    why = "dial tcp " + where + ": connect: " + error_text(errno);
    ::close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int ready = ::poll(&p, 1, remaining_ms(deadline));
  int error = 0;
  socklen_t len = sizeof error;
  if (ready <= 0) {
    why = "dial tcp " + where + ": i/o timeout";
  } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    why = "dial tcp " + where + ": connect: " + error_text(error ? error : errno);
  } else {
    return fd;
  }
  ::close(fd);
  return -1;
}

probe_outcome tcp_probe(const std::string& host, int32_t port, steady::time_point deadline) {
  std::string why;
  int fd = connect_before(host, port, deadline, why);
  if (fd < 0)
    return failed(why);
  ::close(fd);
  return {true, ""};
}

// Waits until `fd` is ready for `events`; false at `deadline`.
bool wait_ready(int fd, short events, steady::time_point deadline) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, remaining_ms(deadline)) > 0;
}

// One probe connection's bytes, in clear or through TLS. For HTTPS, as the kubelet does, the
// server's certificate is not checked (a probe asks whether the server answers, not who it is).
class probe_connection {
public:
  explicit probe_connection(int fd) : fd_(fd) {}
  ~probe_connection() {
    if (ssl_)
      SSL_free(ssl_);
    if (context_)
      SSL_CTX_free(context_);
    ::close(fd_);
  }
  probe_connection(const probe_connection&) = delete;
  probe_connection& operator=(const probe_connection&) = delete;

  // The TLS handshake before `deadline`; false with `why` set.
  bool start_tls(const std::string& host, steady::time_point deadline, std::string& why) {
    context_ = SSL_CTX_new(TLS_client_method());
    if (context_)
      ssl_ = SSL_new(context_);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) {
      why = "cannot set up TLS";
      return false;
    }
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    in_addr numeric{};
    if (inet_pton(AF_INET, host.c_str(), &numeric) != 1)  // a name: sent as SNI
      SSL_set_tlsext_host_name(ssl_, host.c_str());
    if (call([this] { return SSL_connect(ssl_); }, deadline) > 0)
      return true;
    why = timed_out_ ? "TLS handshake timeout" : "remote error: TLS handshake failed";
    return false;
  }

  // Writes all of `data` before `deadline`.
  bool write_all(const std::string& data, steady::time_point deadline) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const char* at = data.data() + sent;
      const std::size_t left = data.size() - sent;
      ssize_t n;
      if (ssl_) {
        n = call([&] { return SSL_write(ssl_, at, static_cast<int>(left)); }, deadline);
      } else {
        if (!wait_ready(fd_, POLLOUT, deadline)) {
          timed_out_ = true;
          return false;
        }
        n = ::send(fd_, at, left, MSG_NOSIGNAL);
      }
      if (n <= 0)
        return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads what arrives next (at most `size` bytes) before `deadline`: > 0 bytes read, 0 the
  // end, -1 an error or the deadline (timed_out()).
  ssize_t read_some(char* buf, std::size_t size, steady::time_point deadline) {
    if (ssl_) {
      int n = call([&] { return SSL_read(ssl_, buf, static_cast<int>(size)); }, deadline);
      return n > 0 ? n : (timed_out_ ? -1 : 0);
    }
    if (!wait_ready(fd_, POLLIN, deadline)) {
      timed_out_ = true;
      return -1;
    }
    return ::recv(fd_, buf, size, 0);
  }

  bool timed_out() const { return timed_out_; }

private:
  // Runs an OpenSSL call on the non-blocking socket until it is done, waiting for the socket
  // as it asks; its result (<= 0: failed, closed, or the deadline came).
  template <class Op>
  int call(Op op, steady::time_point deadline) {
    for (;;) {
      ERR_clear_error();
      int r = op();
      if (r > 0)
        return r;
      int error = SSL_get_error(ssl_, r);
      short events = error == SSL_ERROR_WANT_READ    ? POLLIN
                     : error == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                     : 0;
      if (!events)
        return r;
      if (!wait_ready(fd_, events, deadline)) {
        timed_out_ = true;
        return -1;
      }
    }
  }

  int fd_;
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  bool timed_out_ = false;
};

probe_outcome http_probe(const messages::http_get_action& get, const std::string& host,
                         int32_t port, steady::time_point deadline) {
  const bool https = get.scheme == "HTTPS";
  const std::string path = get.path.empty() ? "/" : get.path;
  const std::string url = std::string(https ? "https://" : "http://") + host + ":" +
                          std::to_string(port) + path;
  std::string why;
  int fd = connect_before(host, port, deadline, why);
  if (fd < 0)
    return failed("Get \"" + url + "\": " + why);
  probe_connection connection(fd);
  if (https && !connection.start_tls(host, deadline, why))
    return failed("Get \"" + url + "\": " + why);
  const std::string timeout_text = "Get \"" + url +
                                   "\": context deadline exceeded (Client.Timeout exceeded while "
                                   "awaiting headers)";
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                        "\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\n"
                        "Connection: close\r\n\r\n";
  if (!connection.write_all(request, deadline))
    return failed(connection.timed_out() ? timeout_text
                                         : std::string("write: ") + std::strerror(errno));
  std::string head;
  for (;;) {
    char buf[512];
    ssize_t n = connection.read_some(buf, sizeof buf, deadline);
    if (n < 0 && connection.timed_out())
      return failed(timeout_text);
    if (n <= 0)
      return failed("the server closed the connection before its status line");
    head.append(buf, static_cast<std::size_t>(n));
    auto eol = head.find("\r\n");
    if (eol == std::string::npos) {
      if (head.size() > 1024)
        return failed("no HTTP status line in the first 1 KiB");
      continue;
    }
    // "HTTP/1.1 200 OK"
    std::string line = head.substr(0, eol);
    auto space = line.find(' ');
    int code = space == std::string::npos ? 0 : std::atoi(line.c_str() + space + 1);
    if (line.rfind("HTTP/", 0) != 0 || code < 100)
      return failed("not an HTTP status line: " + line);
    if (code >= 200 && code < 400)
      return {true, ""};
    return failed("HTTP probe failed with statuscode: " + std::to_string(code));
  }
}

probe_outcome exec_probe(const messages::exec_action& exec, const probe_target& t,
                         int timeout_seconds) {
  std::vector<std::string> argv = {"timeout", "--signal=KILL", std::to_string(timeout_seconds),
                                   "runc",    "--root",        t.runc_root,
                                   "exec",    t.container_id};
  argv.insert(argv.end(), exec.command.begin(), exec.command.end());
  auto r = common::run_process(argv);
  if (r.exit_code == 0)
    return {true, ""};
  if (r.exit_code == 137 || r.exit_code == 124)
    return failed("command timed out after " + std::to_string(timeout_seconds) + "s");
  return failed("command exited with " + std::to_string(r.exit_code) +
                (r.output.empty() ? std::string() : ": " + r.output));
}

}  // namespace

int32_t resolve_probe_port(const messages::int_or_string& port,
                           const std::vector<messages::container_port>& ports) {
  if (!port.is_string)
    return port.int_value;
  for (const auto& p : ports)
    if (p.name == port.string_value)
      return p.container_port;
  return 0;
}

probe_outcome run_probe(const messages::probe& probe, const probe_target& target) {
  const int timeout = std::max(1, probe.timeout_seconds);
  const auto deadline = steady::now() + std::chrono::seconds(timeout);
  if (probe.exec)
    return exec_probe(*probe.exec, target, timeout);
  const messages::int_or_string* port = probe.http_get     ? &probe.http_get->port
                                        : probe.tcp_socket ? &probe.tcp_socket->port
                                                           : nullptr;
  if (!port)
    return failed("the probe has no handler");
  int32_t number = resolve_probe_port(*port, target.ports);
  if (number <= 0 || number > 65535)
    return failed("the probe's port " +
                  (port->is_string ? port->string_value : std::to_string(port->int_value)) +
                  " names no port of the container");
  if (probe.http_get) {
    const std::string host = probe.http_get->host.empty() ? target.pod_ip : probe.http_get->host;
    return http_probe(*probe.http_get, host, number, deadline);
  }
  const std::string host = probe.tcp_socket->host.empty() ? target.pod_ip : probe.tcp_socket->host;
  return tcp_probe(host, number, deadline);
}

probe_runner::probe_runner(std::size_t workers) {
  for (std::size_t i = 0; i < workers; ++i)
    workers_.emplace_back([this] { work(); });
}

probe_runner::~probe_runner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_all();
  for (auto& w : workers_)
    w.join();
}

void probe_runner::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void probe_runner::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_)
        return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception&) {
      // A probe that could not even run counts as not run: its next period tries again.
    }
  }
}

}  // namespace capstan::nodeagent
