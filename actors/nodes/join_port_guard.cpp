#include "actors/nodes/join_port_guard.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>

namespace capstan::actors {

namespace {

// The local or peer port of an IPv4/IPv6 address; -1 for any other family.
int port_of(const sockaddr_storage& sa) {
  if (sa.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in&>(sa).sin_port);
  if (sa.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(sa).sin6_port);
  return -1;
}

// Text as CAF's remote_addr_of_fd gives it (inet_ntop, no brackets, mapped IPv4 kept).
std::string address_of(const sockaddr_storage& sa) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (sa.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(sa).sin_addr, text, sizeof(text));
  else if (sa.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(sa).sin6_addr, text, sizeof(text));
  return text;
}

int local_port_of(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0)
    return -1;
  return port_of(local);
}

// "123" -> 123; anything else (".", "..") -> -1.
int fd_number(const char* name) {
  if (*name == '\0')
    return -1;
  int n = 0;
  for (; *name != '\0'; ++name) {
    if (*name < '0' || *name > '9' || n > 100000000)
      return -1;
    n = n * 10 + (*name - '0');
  }
  return n;
}

int open_proc_fd_dir() {
  int fd = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "join port guard: /proc/self/fd");
  return fd;
}

const join_port_guard::options& checked(const join_port_guard::options& opts) {
  if (opts.port == 0)
    throw std::invalid_argument("join port guard: port 0");
  if (opts.period.count() <= 0 || opts.grace.count() < 0)
    throw std::invalid_argument("join port guard: period must be > 0 and grace >= 0");
  return opts;
}

}  // namespace

// Cost, measured with 5,000 open sockets on a 2-core VM: ~12.5 ms CPU per scan, about half in
// getdents64 (procfs makes an entry per fd) and half in getsockname. readlink per fd would cost
// ~6 us more per fd. A sock_diag (netlink) dump filtered on the local port is no cheaper: the
// kernel walks every TCP socket of the network namespace (~12 ms CPU for ~15,000 there), and
// mapping its inodes to our fds still needs this walk.
std::vector<join_port_connection> list_join_port_connections(int proc_fd_dir, uint16_t port) {
  // procfs builds the listing on each read from offset 0, so a rewound fd gives a fresh view.
  if (lseek(proc_fd_dir, 0, SEEK_SET) < 0)
    throw std::system_error(errno, std::generic_category(),
                            "join port guard: rewind /proc/self/fd");
  std::vector<join_port_connection> found;
  alignas(dirent64) char buf[32768];
  for (;;) {
    ssize_t n = getdents64(proc_fd_dir, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      throw std::system_error(errno, std::generic_category(),
                              "join port guard: read /proc/self/fd");
    }
    if (n == 0)
      break;
    for (ssize_t off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buf + off);
      off += entry->d_reclen;
      int fd = fd_number(entry->d_name);
      if (fd < 0 || fd == proc_fd_dir)
        continue;
      // One syscall for every fd: fails with ENOTSOCK for files and pipes, EBADF if closed
      // since the listing was read. Cheaper than readlink ("socket:[inode]"), which walks
      // /proc/self/fd/N.
      sockaddr_storage local{};
      socklen_t len = sizeof(local);
      if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 || port_of(local) != port)
        continue;
      int type = 0;
      socklen_t type_len = sizeof(type);
      if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM)
        continue;
      sockaddr_storage remote{};
      len = sizeof(remote);
      if (getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &len) != 0)
        continue;  // the listener (ENOTCONN), or a connection already reset
      struct stat st {};
      if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
        continue;
      found.push_back({fd, st.st_ino, address_of(remote), static_cast<uint16_t>(port_of(remote))});
    }
  }
  return found;
}

join_port_guard::join_port_guard(options opts)
    : opts_(checked(opts)), proc_fd_dir_(open_proc_fd_dir()), thread_([this] { run(); }) {}

join_port_guard::~join_port_guard() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  ::close(proc_fd_dir_);
}

void join_port_guard::admit(const std::string& peer_address, uint16_t peer_port) {
  std::lock_guard<std::mutex> lock(mutex_);
  admitted_.emplace(peer_address, peer_port);
}

void join_port_guard::forget(const std::string& peer_address, uint16_t peer_port) {
  std::lock_guard<std::mutex> lock(mutex_);
  admitted_.erase(peer{peer_address, peer_port});
}

void join_port_guard::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    lock.unlock();
    try {
      scan(std::chrono::steady_clock::now());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "capstan master: join port guard: scan failed: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "capstan master: join port guard: scan failed\n");
    }
    lock.lock();
    wake_.wait_for(lock, opts_.period, [this] { return stop_; });
  }
}

void join_port_guard::scan(std::chrono::steady_clock::time_point now) {
  auto connections = list_join_port_connections(proc_fd_dir_, opts_.port);
  std::map<int, tracked> next;
  uint64_t closed_now = 0;
  for (const auto& c : connections) {
    tracked t{c.inode, now, false};
    auto it = tracked_.find(c.fd);
    if (it != tracked_.end() && it->second.inode == c.inode)
      t = it->second;  // the same connection; a new inode on the fd number is a new one
    if (!t.shut_down && now - t.first_seen >= opts_.grace) {
      // Under the lock, so admit() either comes first (and spares the connection) or after the
      // shutdown (the session is then over and the caller sees the node disconnect).
      std::lock_guard<std::mutex> lock(mutex_);
      if (admitted_.count(peer{c.peer_address, c.peer_port}) == 0) {
        t.shut_down = true;  // shut down, or found replaced: either way never again
        if (shut_down(c)) {
          ++closed_now;
          closed_.fetch_add(1, std::memory_order_relaxed);  // counted before the peer can see EOF
        }
      }
    }
    next.emplace(c.fd, t);
  }
  tracked_ = std::move(next);  // forgets the fds that are gone
  if (closed_now > 0) {
    std::fprintf(stderr,
                 "capstan master: join port guard: shut down %llu connection(s) to port %u that "
                 "proved no node within %lld ms\n",
                 static_cast<unsigned long long>(closed_now), static_cast<unsigned>(opts_.port),
                 static_cast<long long>(opts_.grace.count()));
  }
}

// The race: between the listing and here, CAF may close c.fd and the number may be reused by
// an unrelated socket (an API connection, a new node). So the fd is first duplicated: the
// duplicate pins one open file description, which is then checked (same inode, a socket on
// the join port) and shut down. Whatever happens to the number c.fd meanwhile, only the
// checked socket is touched. Closing the duplicate never closes the connection while CAF still
// holds its fd (and if CAF closed its fd meanwhile, the connection was going away anyway). CAF
// removes an fd from epoll before closing it, so the short-lived duplicate keeps no stale epoll
// registration. Only if the process is out of fds (EMFILE/ENFILE) is c.fd re-checked and shut
// down directly, leaving a window of a few instructions between fstat and shutdown.
bool join_port_guard::shut_down(const join_port_connection& c) {
  int dup = fcntl(c.fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0 && errno != EMFILE && errno != ENFILE)
    return false;  // EBADF: closed since the listing
  int target = dup >= 0 ? dup : c.fd;
  struct stat st {};
  bool same = fstat(target, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == c.inode &&
              local_port_of(target) == opts_.port;
  bool done = same && ::shutdown(target, SHUT_RDWR) == 0;
  if (dup >= 0)
    ::close(dup);
  return done;
}

}  // namespace capstan::actors
