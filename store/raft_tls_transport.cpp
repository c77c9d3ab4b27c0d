#include "store/raft_tls_transport.hpp"

#include "store/detail/raft_tls_transport_impl.hpp"

namespace capstan::store {

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
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // as outbound connections (small messages)
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
      return start_forward_channel(c, peer);
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
  c->bridged_member = peer;
  count_bridged(peer, true);
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
  }
}

std::set<uint64_t> raft_tls_transport::connected_members() const {
  std::lock_guard<std::mutex> lock(impl_->reach_mutex);
  std::set<uint64_t> out;
  for (const auto& [member, count] : impl_->bridged_members)
    out.insert(member);
  return out;
}

raft_uv_transport* raft_tls_transport::transport() {
  return &impl_->transport;
}

bool raft_tls_transport::close_requested() const {
  return impl_->closing;
}

}  // namespace capstan::store
