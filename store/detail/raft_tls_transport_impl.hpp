// The inside of store/raft_tls_transport: its TLS thread's state and connections, shared by
// raft_tls_transport.cpp (listening, connecting, bridging members' Raft streams) and
// raft_tls_peer_requests.cpp (serving other members' fetch and forward requests). Private to
// those two files.
#pragma once

#include "store/raft_tls_transport.hpp"

#include "store/c_raft.hpp"
#include "store/raft_peer_wire.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/x509.h>

namespace capstan::store {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace detail {

constexpr std::size_t bridge_buffer_bytes = 64 * 1024;
constexpr std::size_t fetch_chunk_bytes = 1 << 20;
// Answers a forward channel may have waiting to be written before its requests are no longer
// read (the largest answer fits).
constexpr std::size_t max_forward_answer_backlog = 8u << 20;

// A descriptor handed from the TLS thread to C-Raft's loop: closed unless taken.
struct owned_fd {
  int fd;
  explicit owned_fd(int f) : fd(f) {}
  ~owned_fd() {
    if (fd >= 0)
      ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// Where answers to forwarded requests go: the TLS side's context until it shuts down (an
// answer given later is dropped).
struct answer_gate {
  std::mutex mutex;
  net::io_context* io = nullptr;  // guarded by mutex
};

}  // namespace detail

using detail::answer_gate;
using detail::owned_fd;
using detail::bridge_buffer_bytes;
using detail::fetch_chunk_bytes;
using detail::max_forward_answer_backlog;

struct raft_tls_transport::impl {
  struct connection;

  impl(raft_tls_config c, uv_loop_t* l) : config(std::move(c)), loop(l) {}

  // ---- C-Raft's side: the loop's thread ---------------------------------------------------
  void init(raft_id own_id, const char* own_address) {
    id = own_id;
    address = own_address;
  }
  int listen(raft_uv_accept_cb cb);
  int connect(raft_uv_connect* req, raft_id peer, const char* peer_address, raft_uv_connect_cb cb);
  void close(raft_uv_transport_close_cb cb);
  void hand_stream_to_raft(const std::shared_ptr<owned_fd>& fd, raft_uv_connect* req,
                           raft_id peer, const std::string& peer_address);
  void finish_connect(raft_uv_connect* req, uv_stream_t* stream, int status) {
    if (pending.erase(req) == 1)
      req->cb(req, stream, status);
  }
  // Runs `task` on the loop's thread (from the TLS thread); dropped once the transport closed.
  void post_to_loop(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mutex);
    if (loop_closed)
      return;
    to_loop.push_back(std::move(task));
    uv_async_send(&wake);
  }
  void run_posted() {
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex);
      tasks.swap(to_loop);
    }
    for (auto& t : tasks)
      t();
  }

  // ---- the TLS side: the asio thread ------------------------------------------------------
  void accept_next();
  void handshake_over(const net::ip::address& source) {
    --handshaking;
    auto it = handshaking_from.find(source);
    if (it != handshaking_from.end() && --it->second == 0)
      handshaking_from.erase(it);
  }
  void start_inbound(tcp::socket socket, net::ip::address source);
  void read_preamble(const std::shared_ptr<connection>& c);
  // A member's fetch: its request, then chunk by chunk (each read from serve_fetch on this
  // thread) until the last is written.
  void read_fetch_request(const std::shared_ptr<connection>& c);
  void send_fetch_chunk(const std::shared_ptr<connection>& c, uint64_t next, uint64_t to);
  // A member's channel of forwarded requests: frame after frame read, each handed to
  // serve_forward (or refused), its answer queued and written when given.
  void start_forward_channel(const std::shared_ptr<connection>& c, uint64_t peer);
  void read_forward_frame(const std::shared_ptr<connection>& c, uint64_t peer);
  void queue_forward_answer(const std::shared_ptr<connection>& c, uint64_t number,
                            std::string answer);
  void write_next_forward_answer(const std::shared_ptr<connection>& c);
  void close_answer_gate() {
    std::lock_guard<std::mutex> lock(answers->mutex);
    answers->io = nullptr;
  }
  void start_outbound(raft_uv_connect* req, raft_id peer, tcp::endpoint endpoint,
                      std::string peer_address);
  void bridge(const std::shared_ptr<connection>& c, raft_uv_connect* req, raft_id peer,
              std::string peer_address);
  void shut_down_tls_side();

  raft_tls_config config;
  uv_loop_t* loop;
  raft_uv_transport transport{};
  raft_id id = 0;
  std::string address;

  // Loop's thread only.
  raft_uv_accept_cb accept_cb = nullptr;
  std::set<raft_uv_connect*> pending;  // connects not yet called back
  raft_uv_transport_close_cb close_cb = nullptr;
  bool closing = false;
  uv_async_t wake{};

  std::mutex mutex;
  std::deque<std::function<void()>> to_loop;  // guarded by mutex
  bool loop_closed = false;                   // guarded by mutex

  // The TLS side. `connections` is declared before `io`: handlers still queued when io is
  // destroyed hold connections, whose destructors count down.
  std::atomic<std::size_t> connections{0};
  std::size_t handshaking = 0;                                      // asio thread only
  std::size_t fetches = 0;                                          // asio thread only
  // Requests handed to serve_forward and not yet answered, over all channels (asio thread
  // only). An answer refers to its channel only weakly: it never outlives the transport.
  std::size_t forwards = 0;
  std::shared_ptr<answer_gate> answers = std::make_shared<answer_gate>();
  std::map<net::ip::address, std::size_t> handshaking_from;         // asio thread only
  std::unordered_map<connection*, std::weak_ptr<connection>> live;  // asio thread only
  // The newest authenticated inbound connection of each member (asio thread only): C-Raft
  // keeps one connection to each peer, so an older one from the same member is stale (its
  // peer restarted, or the network lost its end) and is closed.
  std::unordered_map<uint64_t, std::weak_ptr<connection>> inbound_by_member;
  // The newest forward channel of each member (asio thread only): a member keeps one to the
  // leader, so an older one is stale and is closed.
  std::unordered_map<uint64_t, std::weak_ptr<connection>> channel_by_member;
  // The members with a bridged Raft connection now, and how many each (read by other threads:
  // connected_members).
  mutable std::mutex reach_mutex;
  std::map<uint64_t, std::size_t> bridged_members;  // guarded by reach_mutex
  void count_bridged(uint64_t member, bool up) {
    std::lock_guard<std::mutex> lock(reach_mutex);
    if (up)
      ++bridged_members[member];
    else if (auto it = bridged_members.find(member); it != bridged_members.end() && --it->second == 0)
      bridged_members.erase(it);
  }
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  ssl::context tls{ssl::context::tls};
  std::optional<tcp::acceptor> acceptor;
  net::steady_timer accept_pause{io};
  std::thread thread;
};

// One TLS connection with a member, and (once bridged) the socketpair end C-Raft's stream
// faces. Lives on the asio thread.
struct raft_tls_transport::impl::connection
    : std::enable_shared_from_this<raft_tls_transport::impl::connection> {
  connection(impl& o, tcp::socket socket)
      : owner(o), tls(std::move(socket), o.tls), local(o.io), deadline(o.io) {
    ++owner.connections;
    ++owner.handshaking;
  }
  ~connection() { --owner.connections; }

  void track() { owner.live.emplace(this, weak_from_this()); }
  void stop() {
    if (stopped)
      return;
    auto keep = shared_from_this();  // the handler calling may hold the last other reference
    stopped = true;
    error_code ignored;
    tls.lowest_layer().close(ignored);
    local.close(ignored);
    deadline.cancel();
    owner.live.erase(this);
    if (!authenticated)
      owner.handshake_over(source);
    if (fetching)
      --owner.fetches;
    if (bridged_member != 0)
      owner.count_bridged(bridged_member, false);
    owner.forwards -= forwards_waiting.size();
    forwards_waiting.clear();
    answer_frames.clear();
    if (auto it = owner.channel_by_member.find(channel_from);
        channel_from != 0 && it != owner.channel_by_member.end() && it->second.lock().get() == this)
      owner.channel_by_member.erase(it);
    auto it = owner.inbound_by_member.find(inbound_from);
    if (inbound_from != 0 && it != owner.inbound_by_member.end() && it->second.lock().get() == this)
      owner.inbound_by_member.erase(it);
  }
  // Copies what the peer sends to C-Raft's end, and what C-Raft writes to the peer; the first
  // end that fails or closes ends both.
  void start_pumps() {
    from_peer = std::make_unique<std::array<char, bridge_buffer_bytes>>();
    to_peer = std::make_unique<std::array<char, bridge_buffer_bytes>>();
    pump(tls, local, *from_peer);
    pump(local, tls, *to_peer);
  }
  template <typename From, typename To>
  void pump(From& from, To& to, std::array<char, bridge_buffer_bytes>& buffer) {
    from.async_read_some(net::buffer(buffer), [self = shared_from_this(), &from, &to,
                                               &buffer](error_code ec, std::size_t n) {
      if (ec || self->stopped)
        return self->stop();
      net::async_write(to, net::buffer(buffer.data(), n),
                       [self, &from, &to, &buffer](error_code ec, std::size_t) {
                         if (ec || self->stopped)
                           return self->stop();
                         self->pump(from, to, buffer);
                       });
    });
  }
  void arm_deadline(std::chrono::milliseconds timeout) {
    deadline.expires_after(timeout);
    deadline.async_wait([weak = weak_from_this()](error_code ec) {
      if (auto self = weak.lock(); self && !ec)
        self->stop();
    });
  }

  impl& owner;
  ssl::stream<tcp::socket> tls;
  net::local::stream_protocol::socket local;
  net::steady_timer deadline;
  bool stopped = false;
  preamble_header_bytes_type header{};
  std::string peer_address;
  bool authenticated = false;  // counted in `handshaking` until then
  net::ip::address source;     // an inbound connection's peer address
  uint64_t inbound_from = 0;   // the member an authenticated inbound connection is from
  uint64_t bridged_member = 0; // the member a bridged Raft connection is with (counted)
  bool fetching = false;       // counted in `fetches`
  // A forward channel's (asio thread): the member it is from, the numbers of its requests
  // handed to serve_forward and not yet answered (counted in `forwards`), the answers waiting
  // to be written (the first is being written when `writing_answer`), the frame being read.
  uint64_t channel_from = 0;
  std::unordered_set<uint64_t> forwards_waiting;
  std::deque<std::shared_ptr<std::string>> answer_frames;
  std::size_t answer_bytes = 0;  // in answer_frames
  bool writing_answer = false;
  bool reading_paused = false;  // until answers were written (read_forward_frame)
  std::array<unsigned char, forward_frame_header_bytes> frame_header{};
  std::string request;
  // Allocated once bridged: a connection still handshaking holds no more than TLS's own state.
  std::unique_ptr<std::array<char, bridge_buffer_bytes>> from_peer, to_peer;
};

}  // namespace capstan::store
