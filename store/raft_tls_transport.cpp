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

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/x509.h>

namespace capstan::store {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t bridge_buffer_bytes = 64 * 1024;
constexpr std::size_t fetch_chunk_bytes = 1 << 20;

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

}  // namespace

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
  // A member's forwarded request: its length, its bytes, serve_forward, the answer.
  void read_forward_request(const std::shared_ptr<connection>& c, uint64_t peer);
  void send_forward_answer(const std::shared_ptr<connection>& c, std::string answer);
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
  std::size_t forwards = 0;                                         // asio thread only
  // Connections waiting for serve_forward's answer (asio thread only): held here, so that an
  // answer refers to them only weakly and never outlives the transport.
  std::unordered_map<connection*, std::shared_ptr<connection>> awaiting_answer;
  std::shared_ptr<answer_gate> answers = std::make_shared<answer_gate>();
  std::map<net::ip::address, std::size_t> handshaking_from;         // asio thread only
  std::unordered_map<connection*, std::weak_ptr<connection>> live;  // asio thread only
  // The newest authenticated inbound connection of each member (asio thread only): C-Raft
  // keeps one connection to each peer, so an older one from the same member is stale (its
  // peer restarted, or the network lost its end) and is closed.
  std::unordered_map<uint64_t, std::weak_ptr<connection>> inbound_by_member;
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
    auto keep = shared_from_this();  // awaiting_answer may hold the last other reference
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
    if (forwarding) {
      --owner.forwards;
      owner.awaiting_answer.erase(this);
    }
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
  bool fetching = false;       // counted in `fetches`
  bool forwarding = false;     // counted in `forwards`
  bool answered = false;       // a forward's answer (or refusal) is on its way
  // Allocated once bridged: a connection still handshaking holds no more than TLS's own state.
  std::unique_ptr<std::array<char, bridge_buffer_bytes>> from_peer, to_peer;
};

int raft_tls_transport::impl::listen(raft_uv_accept_cb cb) {
  accept_cb = cb;
  const std::string& bind = config.bind_address.empty() ? address : config.bind_address;
  auto endpoint = parse_endpoint(bind);
  if (!endpoint) {
    std::snprintf(transport.errmsg, sizeof transport.errmsg,
                  "the Raft address \"%.100s\" is no IP:PORT", bind.c_str());
    return RAFT_INVALID;
  }
  error_code ec;
  acceptor.emplace(io);
  acceptor->open(endpoint->protocol(), ec);
  if (!ec)
    acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec)
    acceptor->bind(*endpoint, ec);
  if (!ec)
    acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::snprintf(transport.errmsg, sizeof transport.errmsg, "cannot listen on %.100s: %.100s",
                  bind.c_str(), ec.message().c_str());
    acceptor.reset();
    return RAFT_IOERR;
  }
  net::post(io, [this] { accept_next(); });
  return 0;
}

void raft_tls_transport::impl::accept_next() {
  acceptor->async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open())
      return;
    if (ec) {
      // Out of descriptors or memory: try again shortly rather than spin.
      accept_pause.expires_after(std::chrono::milliseconds(100));
      accept_pause.async_wait([this](error_code ec) {
        if (!ec && acceptor && acceptor->is_open())
          accept_next();
      });
      return;
    }
    error_code no_address;
    auto source = socket.remote_endpoint(no_address).address();
    if (no_address || handshaking >= config.max_handshakes ||
        handshaking_from[source] >= config.max_handshakes_per_address ||
        connections.load() >= config.max_connections) {
      if (handshaking_from[source] == 0)
        handshaking_from.erase(source);
      error_code ignored;
      socket.close(ignored);  // refused: closed before any byte is read
    } else {
      ++handshaking_from[source];
      start_inbound(std::move(socket), source);
    }
    accept_next();
  });
}

void raft_tls_transport::impl::start_inbound(tcp::socket socket, net::ip::address source) {
  keep_alive(socket);
  auto c = std::make_shared<connection>(*this, std::move(socket));
  c->source = source;
  c->track();
  c->arm_deadline(config.handshake_timeout);
  c->tls.async_handshake(ssl::stream_base::server, [this, c](error_code ec) {
    if (ec || c->stopped)
      return c->stop();
    read_preamble(c);
  });
}

void raft_tls_transport::impl::read_preamble(const std::shared_ptr<connection>& c) {
  net::async_read(c->tls, net::buffer(c->header), [this, c](error_code ec, std::size_t) {
    if (ec || c->stopped)
      return c->stop();
    auto header = parse_preamble_header(c->header);
    // The certificate must be the member's that the preamble names.
    if (!header || !is_member_certificate(c->tls.native_handle(), header->id))
      return c->stop();
    uint64_t peer = header->id;
    if (header->kind == preamble_kind::fetch)
      return read_fetch_request(c);
    if (header->kind == preamble_kind::forward)
      return read_forward_request(c, peer);
    c->peer_address.resize(header->body_length);
    net::async_read(c->tls, net::buffer(c->peer_address), [this, c, peer](error_code ec,
                                                                         std::size_t) {
      if (ec || c->stopped)
        return c->stop();
      if (!is_printable_address(c->peer_address))
        return c->stop();
      c->deadline.cancel();
      if (auto older = inbound_by_member[peer].lock())
        older->stop();
      c->inbound_from = peer;
      inbound_by_member[peer] = c;
      bridge(c, nullptr, peer, c->peer_address);
    });
  });
}

void raft_tls_transport::impl::read_fetch_request(const std::shared_ptr<connection>& c) {
  c->peer_address.resize(fetch_request_bytes);
  net::async_read(c->tls, net::buffer(c->peer_address), [this, c](error_code ec, std::size_t) {
    if (ec || c->stopped || !config.serve_fetch || fetches >= config.max_fetches)
      return c->stop();
    c->authenticated = true;
    handshake_over(c->source);
    ++fetches;
    c->fetching = true;
    auto [from, to] = parse_fetch_request(c->peer_address);
    c->peer_address.clear();
    send_fetch_chunk(c, from, to);
  });
}

void raft_tls_transport::impl::send_fetch_chunk(const std::shared_ptr<connection>& c,
                                                uint64_t next, uint64_t to) {
  std::string chunk;
  if (next <= to) {
    try {
      chunk = config.serve_fetch(next, to, fetch_chunk_bytes);
    } catch (...) {
      chunk.clear();
    }
    if (chunk.empty())
      return c->stop();  // positions it lacks (or cannot read): the fetch ends unfinished
  }
  auto frame = std::make_shared<std::string>(encode_length(chunk.size()));
  frame->append(chunk);
  const bool last = chunk.empty();
  c->arm_deadline(config.fetch_timeout);
  net::async_write(c->tls, net::buffer(*frame), [this, c, frame, next, to,
                                                 last](error_code ec, std::size_t) {
    if (ec || c->stopped || last)
      return c->stop();
    send_fetch_chunk(c, next, to);
  });
}

void raft_tls_transport::impl::read_forward_request(const std::shared_ptr<connection>& c,
                                                    uint64_t peer) {
  c->peer_address.resize(forward_length_bytes);
  net::async_read(c->tls, net::buffer(c->peer_address), [this, c, peer](error_code ec,
                                                                       std::size_t) {
    if (ec || c->stopped)
      return c->stop();
    unsigned char length_bytes[forward_length_bytes];
    std::memcpy(length_bytes, c->peer_address.data(), forward_length_bytes);
    const std::size_t length = parse_length(length_bytes);
    if (length == 0 || length > max_forward_bytes)
      return c->stop();
    if (!config.serve_forward || forwards >= config.max_forwards) {
      // Refused before any of it is read: an empty answer tells the member nothing was done.
      c->authenticated = true;
      handshake_over(c->source);
      return send_forward_answer(c, "");
    }
    c->authenticated = true;
    handshake_over(c->source);
    ++forwards;
    c->forwarding = true;
    awaiting_answer.emplace(c.get(), c);
    c->arm_deadline(config.forward_timeout);
    c->peer_address.assign(length, '\0');
    net::async_read(c->tls, net::buffer(c->peer_address), [this, c, peer](error_code ec,
                                                                         std::size_t) {
      if (ec || c->stopped)
        return c->stop();
      std::weak_ptr<connection> weak = c;
      auto answer = [gate = answers, weak](std::string text) {
        std::lock_guard<std::mutex> lock(gate->mutex);
        if (!gate->io)
          return;
        net::post(*gate->io, [weak, text = std::move(text)]() mutable {
          if (auto c = weak.lock(); c && !c->stopped)
            c->owner.send_forward_answer(c, std::move(text));
        });
      };
      try {
        config.serve_forward(peer, std::exchange(c->peer_address, {}), std::move(answer));
      } catch (...) {
        c->stop();
      }
    });
  });
}

void raft_tls_transport::impl::send_forward_answer(const std::shared_ptr<connection>& c,
                                                   std::string answer) {
  if (c->answered || answer.size() > max_forward_bytes)
    return c->stop();
  c->answered = true;
  auto frame = std::make_shared<std::string>(encode_length(answer.size()));
  frame->append(answer);
  net::async_write(c->tls, net::buffer(*frame), [c, frame](error_code, std::size_t) {
    c->stop();  // one request per connection
  });
}

int raft_tls_transport::impl::connect(raft_uv_connect* req, raft_id peer,
                                      const char* peer_address, raft_uv_connect_cb cb) {
  auto endpoint = parse_endpoint(peer_address);
  if (!endpoint) {
    std::snprintf(transport.errmsg, sizeof transport.errmsg,
                  "the Raft address \"%.100s\" is no IP:PORT", peer_address);
    return RAFT_NOCONNECTION;
  }
  req->cb = cb;
  pending.insert(req);
  net::post(io, [this, req, peer, endpoint = *endpoint, a = std::string(peer_address)] {
    start_outbound(req, peer, endpoint, a);
  });
  return 0;
}

void raft_tls_transport::impl::start_outbound(raft_uv_connect* req, raft_id peer,
                                              tcp::endpoint endpoint, std::string peer_address) {
  auto fail = [this, req] {
    post_to_loop([this, req] { finish_connect(req, nullptr, RAFT_NOCONNECTION); });
  };
  if (connections.load() >= config.max_connections)
    return fail();
  auto c = std::make_shared<connection>(*this, tcp::socket(io));
  // Outbound attempts are this member's own: they do not take the inbound handshake budget.
  c->authenticated = true;
  --handshaking;
  c->track();
  c->arm_deadline(config.handshake_timeout);
  c->tls.lowest_layer().async_connect(endpoint, [this, c, req, peer, fail,
                                                 peer_address](error_code ec) mutable {
    if (ec || c->stopped) {
      c->stop();
      return fail();
    }
    error_code ignored;
    c->tls.lowest_layer().set_option(tcp::no_delay(true), ignored);
    keep_alive(c->tls.next_layer());
    c->tls.async_handshake(ssl::stream_base::client, [this, c, req, peer, fail,
                                                      peer_address](error_code ec) mutable {
      // The listener must be the member this connection is for.
      if (ec || c->stopped || !is_member_certificate(c->tls.native_handle(), peer)) {
        c->stop();
        return fail();
      }
      auto preamble = std::make_shared<std::string>(encode_preamble(id, address));
      net::async_write(c->tls, net::buffer(*preamble), [this, c, req, peer, fail, preamble,
                                                        peer_address](error_code ec,
                                                                      std::size_t) mutable {
        if (ec || c->stopped) {
          c->stop();
          return fail();
        }
        c->deadline.cancel();
        bridge(c, req, peer, std::move(peer_address));
      });
    });
  });
}

void raft_tls_transport::impl::bridge(const std::shared_ptr<connection>& c, raft_uv_connect* req,
                                      raft_id peer, std::string peer_address) {
  if (!c->authenticated) {
    c->authenticated = true;
    handshake_over(c->source);
  }
  int pair[2];
  if (c->stopped || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    c->stop();
    if (req)
      post_to_loop([this, req] { finish_connect(req, nullptr, RAFT_NOCONNECTION); });
    return;
  }
  error_code ec;
  c->local.assign(net::local::stream_protocol(), pair[1], ec);
  if (ec) {
    ::close(pair[0]);
    ::close(pair[1]);
    c->stop();
    if (req)
      post_to_loop([this, req] { finish_connect(req, nullptr, RAFT_NOCONNECTION); });
    return;
  }
  c->start_pumps();
  auto raft_end = std::make_shared<owned_fd>(pair[0]);
  post_to_loop([this, raft_end, req, peer, peer_address = std::move(peer_address)] {
    hand_stream_to_raft(raft_end, req, peer, peer_address);
  });
}

void raft_tls_transport::impl::hand_stream_to_raft(const std::shared_ptr<owned_fd>& fd,
                                                   raft_uv_connect* req, raft_id peer,
                                                   const std::string& peer_address) {
  if (closing || (req && pending.count(req) == 0) || (!req && !accept_cb))
    return;  // the descriptor closes: the bridge sees the end and closes the TLS side
  // C-Raft frees the stream with raft_free after uv_close.
  auto* pipe = static_cast<uv_pipe_t*>(raft_malloc(sizeof(uv_pipe_t)));
  if (!pipe || uv_pipe_init(loop, pipe, 0) != 0) {
    raft_free(pipe);
    if (req)
      finish_connect(req, nullptr, RAFT_NOCONNECTION);
    return;
  }
  if (uv_pipe_open(pipe, fd->fd) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(pipe), [](uv_handle_t* h) { raft_free(h); });
    if (req)
      finish_connect(req, nullptr, RAFT_NOCONNECTION);
    return;
  }
  fd->release();  // the pipe owns it now
  auto* stream = reinterpret_cast<uv_stream_t*>(pipe);
  if (req)
    finish_connect(req, stream, 0);
  else
    accept_cb(&transport, peer, peer_address.c_str(), stream);
}

void raft_tls_transport::impl::close(raft_uv_transport_close_cb cb) {
  closing = true;
  close_cb = cb;
  accept_cb = nullptr;
  // Called back on a later turn of the loop, never from inside C-Raft's own close.
  {
    std::lock_guard<std::mutex> lock(mutex);
    to_loop.push_back([this] {
      std::set<raft_uv_connect*> cancelled;
      cancelled.swap(pending);
      for (auto* req : cancelled)
        req->cb(req, nullptr, RAFT_CANCELED);
      net::post(io, [this] { shut_down_tls_side(); });
      if (thread.joinable())
        thread.join();
      {
        std::lock_guard<std::mutex> lock(mutex);
        loop_closed = true;
        to_loop.clear();  // descriptors not handed over close here
      }
      uv_close(reinterpret_cast<uv_handle_t*>(&wake), [](uv_handle_t* h) {
        auto* self = static_cast<impl*>(h->data);
        if (self->close_cb)
          self->close_cb(&self->transport);
      });
    });
    uv_async_send(&wake);
  }
}

void raft_tls_transport::impl::shut_down_tls_side() {
  error_code ignored;
  if (acceptor)
    acceptor->close(ignored);
  accept_pause.cancel();
  close_answer_gate();
  auto all = live;
  for (auto& [raw, weak] : all)
    if (auto c = weak.lock())
      c->stop();
  awaiting_answer.clear();
  work.reset();
  io.stop();
}

raft_tls_transport::raft_tls_transport(raft_tls_config config, uv_loop_s* loop)
    : impl_(std::make_unique<impl>(std::move(config), loop)) {
  impl& i = *impl_;
  configure_member_tls(i.tls, i.config);
  i.transport.version = 1;
  i.transport.impl = &i;
  i.transport.init = [](raft_uv_transport* t, raft_id id, const char* address) {
    static_cast<impl*>(t->impl)->init(id, address);
    return 0;
  };
  i.transport.listen = [](raft_uv_transport* t, raft_uv_accept_cb cb) {
    return static_cast<impl*>(t->impl)->listen(cb);
  };
  i.transport.connect = [](raft_uv_transport* t, raft_uv_connect* req, raft_id id,
                           const char* address, raft_uv_connect_cb cb) {
    return static_cast<impl*>(t->impl)->connect(req, id, address, cb);
  };
  i.transport.close = [](raft_uv_transport* t, raft_uv_transport_close_cb cb) {
    static_cast<impl*>(t->impl)->close(cb);
  };
  i.answers->io = &i.io;
  i.work.emplace(net::make_work_guard(i.io));
  i.thread = std::thread([&i] {
    for (;;) {
      try {
        i.io.run();
        return;
      } catch (...) {
        // A handler threw (allocation): the connection it served is dropped with it (an
        // outbound attempt is then retried by C-Raft only after the transport restarts).
      }
    }
  });
  // After the thread exists: from here on the handle is on the loop and only close removes it.
  i.wake.data = &i;
  uv_async_init(loop, &i.wake, [](uv_async_t* h) { static_cast<impl*>(h->data)->run_posted(); });
}

raft_tls_transport::~raft_tls_transport() {
  if (impl_->thread.joinable()) {  // closed without C-Raft's close (the engine never started)
    impl_->close_answer_gate();
    impl_->io.stop();
    impl_->thread.join();
    impl_->awaiting_answer.clear();
  }
}

raft_uv_transport* raft_tls_transport::transport() {
  return &impl_->transport;
}

bool raft_tls_transport::close_requested() const {
  return impl_->closing;
}

}  // namespace capstan::store
