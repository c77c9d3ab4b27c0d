// The requests other members make on store/raft_tls_transport's connections, besides Raft's
// own stream: fetching journal positions (CFE1 preamble) and forwarding a write to the
// leader (CWF1). Each connection carries one request and closes after its answer.
#include "store/detail/raft_tls_transport_impl.hpp"

#include <cstring>

namespace capstan::store {

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

}  // namespace capstan::store
