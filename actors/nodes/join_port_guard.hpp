// Closes connections to the master's join port that do not become a proven node session in
// time: CAF 0.17 has no handshake timeout and no hook into its accept path, so a peer that
// connects and never finishes the TLS/BASP handshake (or never proves a node) would hold its
// socket forever.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace capstan::actors {

// One accepted TCP connection of this process whose local port is the join port.
struct join_port_connection {
  int fd = -1;
  ino_t inode = 0;           // the socket's inode: tells a reused fd number from the old one
  std::string peer_address;  // inet_ntop of getpeername: "10.0.0.5", "::1", "::ffff:10.0.0.5"
  uint16_t peer_port = 0;
};

// This process's connected TCP sockets (IPv4 or IPv6) whose local port is `port`: accepted
// connections only, not the listener (it has no peer). Reads /proc/self/fd through `proc_fd_dir`
// (an fd of /proc/self/fd opened with O_DIRECTORY, rewound here) and costs one getsockname per
// open fd plus fstat/getpeername/getsockopt for the few matches. Any thread; the fds may be
// closed and reused by their owners meanwhile, which is why the result carries inodes.
std::vector<join_port_connection> list_join_port_connections(int proc_fd_dir, uint16_t port);

// Owns one thread that, every `period`, lists the join port's connections and shuts down
// (shutdown(SHUT_RDWR), never close: the fd belongs to CAF's multiplexer, which then reads EOF
// and closes it itself) each one first seen more than `grace` ago whose peer was not admitted.
// The grace runs from the first scan that sees a connection, so a connection lives between
// `grace` and `grace + period` (plus the scan time) unless admitted.
//
// Thread-safety: admit, forget and closed_connections may be called from any thread (actors
// included: they only take a mutex held for microseconds). The scan thread catches and logs
// (stderr) everything; nothing escapes it.
//
// Bounded memory: the tracking map holds only currently open join-port connections; the
// admitted set holds what the caller admitted and has not forgotten yet.
class join_port_guard {
public:
  struct options {
    uint16_t port = 0;                       // the local port accepted connections have
    std::chrono::milliseconds grace{10000};  // time to complete handshake and join proof
    std::chrono::milliseconds period{1000};  // scan interval
  };

  // Starts the scan thread. Throws std::invalid_argument for port 0, period <= 0 or grace < 0,
  // std::system_error when /proc/self/fd cannot be opened.
  explicit join_port_guard(options opts);
  // Stops and joins the thread promptly (it waits on a condition variable, not a sleep).
  ~join_port_guard();
  join_port_guard(const join_port_guard&) = delete;
  join_port_guard& operator=(const join_port_guard&) = delete;

  // The peer completed the handshake and proved a node: its connection is left alone until
  // forgotten. Call forget when the session ends. Pass exactly what CAF 0.17's middleman answers
  // to (get_atom, node_id) on the publishing side (inet_ntop of getpeername, as here):
  // "10.0.0.5" when published on an IPv4 address, "::ffff:10.0.0.5" for the same peer when
  // published on all interfaces (CAF then listens on IPv6); "" and 0 mean no direct connection.
  void admit(const std::string& peer_address, uint16_t peer_port);
  void forget(const std::string& peer_address, uint16_t peer_port);

  // How many connections the guard has shut down so far.
  uint64_t closed_connections() const { return closed_.load(std::memory_order_relaxed); }

private:
  using peer = std::pair<std::string, uint16_t>;
  struct tracked {
    ino_t inode = 0;
    std::chrono::steady_clock::time_point first_seen;
    bool shut_down = false;  // done once; CAF closes the fd when it reads the EOF
  };

  void run();
  void scan(std::chrono::steady_clock::time_point now);
  // Shuts `c` down if its fd still refers to the same socket on the join port; true if it did.
  bool shut_down(const join_port_connection& c);

  const options opts_;
  const int proc_fd_dir_;  // O_DIRECTORY fd of /proc/self/fd, kept open: a scan needs no new fd

  std::map<int, tracked> tracked_;  // by fd; scan thread only

  mutable std::mutex mutex_;  // guards admitted_ and stop_
  std::condition_variable wake_;
  std::set<peer> admitted_;
  bool stop_ = false;

  std::atomic<uint64_t> closed_{0};
  std::thread thread_;  // last member: started after everything above is initialized
};

}  // namespace capstan::actors
