// The requests other members make on store/raft_tls_transport's connections, besides Raft's
// own stream: fetching journal positions (CJF1 preamble: one fetch per connection, closed
// after its last chunk) and a member's channel of writes forwarded to the leader (CWF2: many
// requests at once, for as long as the member keeps it; closed after `forward_timeout` with no
// frame read or written).
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

void raft_tls_transport::impl::start_forward_channel(const std::shared_ptr<connection>& c,
                                                     uint64_t peer) {
  c->authenticated = true;
  handshake_over(c->source);
  if (auto older = channel_by_member[peer].lock())
    older->stop();
  c->channel_from = peer;
  channel_by_member[peer] = c;
  c->arm_deadline(config.forward_timeout);
  // The channel is taken: until the member reads this, nothing it sent can have been acted on.
  queue_forward_answer(c, 0, "");
  read_forward_frame(c, peer);
}

void raft_tls_transport::impl::read_forward_frame(const std::shared_ptr<connection>& c,
                                                  uint64_t peer) {
  // A member that does not read its answers is not read from either: its frames wait in the
  // network, and with no frame read or written its channel closes after forward_timeout.
  if (c->answer_frames.size() > config.max_forwards + 16 ||
      c->answer_bytes > max_forward_answer_backlog) {
    c->reading_paused = true;
    return;
  }
  c->reading_paused = false;
  net::async_read(c->tls, net::buffer(c->frame_header), [this, c, peer](error_code ec,
                                                                       std::size_t) {
    if (ec || c->stopped)
      return c->stop();
    auto frame = parse_forward_frame_header(c->frame_header);
    // An empty request, one over the bound, number 0 (the channel's acceptance) or a number
    // still waiting: no member of ours.
    if (frame.length == 0 || frame.length > max_forward_bytes || frame.number == 0 ||
        c->forwards_waiting.count(frame.number) != 0)
      return c->stop();
    c->arm_deadline(config.forward_timeout);
    c->request.assign(frame.length, '\0');
    net::async_read(c->tls, net::buffer(c->request), [this, c, peer, number = frame.number](
                                                         error_code ec, std::size_t) {
      if (ec || c->stopped)
        return c->stop();
      std::string request = std::exchange(c->request, {});
      if (!config.serve_forward || forwards >= config.max_forwards) {
        // Refused, never handed on: an empty answer tells the member nothing was done.
        queue_forward_answer(c, number, "");
      } else {
        c->forwards_waiting.insert(number);
        ++forwards;
        std::weak_ptr<connection> weak = c;
        auto answer = [gate = answers, weak, number](std::string text) {
          std::lock_guard<std::mutex> lock(gate->mutex);
          if (!gate->io)
            return;
          net::post(*gate->io, [weak, number, text = std::move(text)]() mutable {
            auto c = weak.lock();
            // Dropped: the channel closed, or the request was answered already.
            if (!c || c->stopped || c->forwards_waiting.erase(number) == 0)
              return;
            --c->owner.forwards;
            if (text.empty() || text.size() > max_forward_bytes)
              return c->stop();  // no answer the member could tell from a refusal, or over the bound
            c->owner.queue_forward_answer(c, number, std::move(text));
          });
        };
        try {
          config.serve_forward(peer, std::move(request), std::move(answer));
        } catch (...) {
          return c->stop();
        }
      }
      if (!c->stopped)
        read_forward_frame(c, peer);
    });
  });
}

void raft_tls_transport::impl::queue_forward_answer(const std::shared_ptr<connection>& c,
                                                    uint64_t number, std::string answer) {
  auto frame = std::make_shared<std::string>(encode_forward_frame(number, answer));
  c->answer_bytes += frame->size();
  c->answer_frames.push_back(std::move(frame));
  if (!c->writing_answer)
    write_next_forward_answer(c);
}

void raft_tls_transport::impl::write_next_forward_answer(const std::shared_ptr<connection>& c) {
  c->writing_answer = !c->answer_frames.empty();
  if (!c->writing_answer)
    return;
  auto frame = c->answer_frames.front();
  net::async_write(c->tls, net::buffer(*frame), [this, c, frame](error_code ec, std::size_t) {
    if (ec || c->stopped)
      return c->stop();
    c->answer_frames.pop_front();
    c->answer_bytes -= frame->size();
    c->arm_deadline(config.forward_timeout);
    write_next_forward_answer(c);
    if (c->reading_paused && !c->stopped)
      read_forward_frame(c, c->channel_from);
  });
}

}  // namespace capstan::store
