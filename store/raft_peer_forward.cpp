#include "store/raft_peer_forward.hpp"

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "store/raft_peer_wire.hpp"

namespace capstan::store {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using outcome = peer_forward_result::outcome;

namespace {

// A member that does not take a connection (and shake hands) within this is as good as gone.
constexpr std::chrono::milliseconds connect_timeout{5000};
// Frames written at once, at most (several waiting requests go in one write).
constexpr std::size_t write_batch_bytes = 1 << 20;

}  // namespace

struct peer_forward_channel::impl {
  struct link;

  // One request: settled once, by whichever comes first (its answer, its channel failing, its
  // caller's timeout).
  struct waiting_request {
    std::mutex mutex;
    std::condition_variable settled;
    std::optional<peer_forward_result> result;  // guarded by mutex
    bool sending = false;  // guarded by mutex: its frame is being written, it may reach the member
    // The io thread's: where it waits.
    uint64_t number = 0;
    std::weak_ptr<link> on;

    void settle(outcome o, std::string text) {
      std::lock_guard<std::mutex> lock(mutex);
      if (result)
        return;
      result = peer_forward_result{o, std::move(text)};
      settled.notify_all();
    }
    // The outcome when the channel fails now: whether it may have reached the member.
    void settle_failed(const std::string& why) {
      std::lock_guard<std::mutex> lock(mutex);
      if (result)
        return;
      result = peer_forward_result{sending ? outcome::unanswered : outcome::not_sent, why};
      settled.notify_all();
    }
  };

  // A TLS connection to one member (the io thread's).
  struct link {
    link(impl& o, uint64_t peer, std::string a)
        : peer_id(peer),
          address(std::move(a)),
          who("member " + std::to_string(peer) + " at " + address),
          stream(o.io, o.tls),
          timer(o.io) {}
    uint64_t peer_id;
    std::string address;
    std::string who;
    ssl::stream<tcp::socket> stream;
    net::steady_timer timer;  // opening: its bound; open with nothing waiting: the idle close
    bool open = false;  // the member took the channel (its acceptance was read)
    bool failed = false;
    // The last frame written or read: the member closes a channel with none for its
    // forward_timeout (70 s by default), so one quiet for idle_close takes no new request.
    std::chrono::steady_clock::time_point last_frame;
    // Requests to send: their number and bytes (shared with no one: the caller's copy).
    std::deque<std::pair<uint64_t, std::shared_ptr<const std::string>>> to_write;
    bool writing = false;
    std::unordered_map<uint64_t, std::shared_ptr<waiting_request>> waiting;
    std::array<unsigned char, forward_frame_header_bytes> header{};
    std::string answer;
  };

  impl(const raft_tls_config& config, uint64_t id) : own_id(id) {
    configure_member_tls(tls, config);
    work.emplace(io.get_executor());
    thread = std::thread([this] {
      for (;;) {
        try {
          io.run();
          return;
        } catch (...) {
          // A handler threw (allocation): the links may be left without a read or a write
          // under way; they all close (what waits is settled), later requests open anew.
          auto all = links;
          for (auto& l : all)
            fail(l, "the channel to " + l->who + " failed inside this master");
          current.reset();
        }
      }
    });
  }

  void submit(uint64_t peer_id, const std::string& address,
              std::shared_ptr<const std::string> body, const std::shared_ptr<waiting_request>& w);
  void open_link(const std::shared_ptr<link>& l, const tcp::endpoint& endpoint);
  void write_next(const std::shared_ptr<link>& l);
  void read_answer(const std::shared_ptr<link>& l);
  // After a request left `l`: an old link with nothing waiting closes, the current one starts
  // its idle close.
  void settle_down(const std::shared_ptr<link>& l);
  // `l` takes no new request: it closes once nothing waits on it.
  void retire(std::shared_ptr<link> l);  // by value: `current` may be what it is given
  void forget(const std::shared_ptr<waiting_request>& w);
  // Closes `l`: what waits on it is settled with `why`.
  void fail(const std::shared_ptr<link>& l, const std::string& why);

  net::io_context io{1};
  ssl::context tls{ssl::context::tls};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  uint64_t own_id;
  std::mutex submit_mutex;
  bool closing = false;                   // guarded by submit_mutex
  std::atomic<std::size_t> waiting{0};    // requests in forward(), over all links
  // The io thread's. Declared after io: destroyed before it.
  uint64_t next_number = 1;
  std::shared_ptr<link> current;
  std::set<std::shared_ptr<link>> links;  // every link not yet failed
  std::thread thread;
};

void peer_forward_channel::impl::submit(uint64_t peer_id, const std::string& address,
                                        std::shared_ptr<const std::string> body,
                                        const std::shared_ptr<waiting_request>& w) {
  const auto now = std::chrono::steady_clock::now();
  if (current && (current->peer_id != peer_id || current->address != address ||
                  (current->open && now - current->last_frame > idle_close)))
    retire(current);
  if (!current) {
    // A link to that member still open (the leader came back) is taken again: a second one
    // would make the member close the first, and the answers it still owes with it.
    for (const auto& l : links)
      if (l->peer_id == peer_id && l->address == address &&
          !(l->open && now - l->last_frame > idle_close))
        current = l;
  }
  if (!current) {
    current = std::make_shared<link>(*this, peer_id, address);
    links.insert(current);
    open_link(current, *parse_endpoint(address));  // checked by forward()
  } else if (current->open) {
    current->timer.cancel();  // no idle close while a request waits
  }
  const uint64_t number = next_number++;
  w->number = number;
  w->on = current;
  current->waiting.emplace(number, w);
  current->to_write.emplace_back(number, std::move(body));
  if (current->open && !current->writing)
    write_next(current);
}

void peer_forward_channel::impl::open_link(const std::shared_ptr<link>& l,
                                           const tcp::endpoint& endpoint) {
  l->timer.expires_after(connect_timeout);
  l->timer.async_wait([this, l](error_code ec) {
    if (!ec && !l->open)
      fail(l, "cannot open a channel to " + l->who + " within " +
                  std::to_string(connect_timeout.count()) + " ms");
  });
  l->stream.lowest_layer().async_connect(endpoint, [this, l](error_code ec) {
    if (l->failed)
      return;
    if (ec)
      return fail(l, "cannot connect to " + l->who + ": " + ec.message());
    keep_alive(l->stream.next_layer());
    // Requests and answers are small writes each: none waits for the previous one's
    // acknowledgement (Nagle's algorithm against delayed ACKs costs tens of ms a round trip).
    error_code ignored;
    l->stream.lowest_layer().set_option(tcp::no_delay(true), ignored);
    l->stream.async_handshake(ssl::stream_base::client, [this, l](error_code ec) {
      if (l->failed)
        return;
      if (ec)
        return fail(l, "no TLS with " + l->who + ": " + ec.message());
      if (!is_member_certificate(l->stream.native_handle(), l->peer_id))
        return fail(l, l->who + " presents a certificate that is not that member's");
      auto preamble = std::make_shared<std::string>(encode_forward_channel_preamble(own_id));
      net::async_write(l->stream, net::buffer(*preamble), [this, l, preamble](error_code ec,
                                                                            std::size_t) {
        if (l->failed)
          return;
        if (ec)
          return fail(l, "cannot open a channel to " + l->who + ": " + ec.message());
        // Nothing is sent before the member accepted the channel (number 0, nothing in it): a
        // member that closes it before knows of no request.
        net::async_read(l->stream, net::buffer(l->header), [this, l](error_code ec, std::size_t) {
          if (l->failed)
            return;
          if (ec)
            return fail(l, l->who + " did not take the channel: " + ec.message());
          auto accepted = parse_forward_frame_header(l->header);
          if (accepted.number != 0 || accepted.length != 0)
            return fail(l, l->who + " answered the channel with no acceptance");
          l->open = true;
          l->last_frame = std::chrono::steady_clock::now();
          l->timer.cancel();
          read_answer(l);
          if (l->waiting.empty())
            settle_down(l);
          else
            write_next(l);
        });
      });
    });
  });
}

void peer_forward_channel::impl::write_next(const std::shared_ptr<link>& l) {
  // Every frame waiting, up to write_batch_bytes, in one write (headers and the callers'
  // bytes, gathered, not copied); a request whose caller gave up before it was sent is never
  // sent.
  auto pieces = std::make_shared<std::vector<std::shared_ptr<const std::string>>>();
  std::vector<net::const_buffer> buffers;
  std::size_t bytes = 0;
  while (!l->to_write.empty() &&
         (bytes == 0 || bytes + l->to_write.front().second->size() <= write_batch_bytes)) {
    auto [number, body] = std::move(l->to_write.front());
    l->to_write.pop_front();
    auto it = l->waiting.find(number);
    if (it == l->waiting.end())
      continue;
    {
      auto& w = *it->second;
      std::lock_guard<std::mutex> lock(w.mutex);
      if (w.result)
        continue;
      w.sending = true;
    }
    pieces->push_back(
        std::make_shared<const std::string>(encode_forward_frame_header(number, body->size())));
    pieces->push_back(std::move(body));
    for (auto it = pieces->end() - 2; it != pieces->end(); ++it) {
      buffers.push_back(net::buffer(**it));
      bytes += (*it)->size();
    }
  }
  l->writing = bytes != 0;
  if (!l->writing)
    return;
  net::async_write(l->stream, buffers, [this, l, pieces](error_code ec, std::size_t) {
    if (l->failed)
      return;
    if (ec)
      return fail(l, "cannot send to " + l->who + ": " + ec.message());
    l->last_frame = std::chrono::steady_clock::now();
    write_next(l);
  });
}

void peer_forward_channel::impl::read_answer(const std::shared_ptr<link>& l) {
  net::async_read(l->stream, net::buffer(l->header), [this, l](error_code ec, std::size_t) {
    if (l->failed)
      return;
    if (ec)
      return fail(l, l->who + " closed the channel before answering: " + ec.message());
    auto header = parse_forward_frame_header(l->header);
    if (header.length > max_forward_bytes)
      return fail(l, l->who + " answered " + std::to_string(header.length) +
                         " bytes, over the bound");
    l->answer.assign(header.length, '\0');
    net::async_read(l->stream, net::buffer(l->answer), [this, l, number = header.number](
                                                          error_code ec, std::size_t) {
      if (l->failed)
        return;
      if (ec)
        return fail(l, l->who + " ended its answer early: " + ec.message());
      l->last_frame = std::chrono::steady_clock::now();
      // An answer to no request waiting (its caller gave up) is dropped.
      if (auto it = l->waiting.find(number); it != l->waiting.end()) {
        auto w = it->second;
        l->waiting.erase(it);
        if (l->answer.empty())
          w->settle(outcome::not_sent, l->who + " refused the request (busy, or it takes no forwards)");
        else
          w->settle(outcome::answered, std::exchange(l->answer, {}));
        settle_down(l);
      }
      if (!l->failed)
        read_answer(l);
    });
  });
}

void peer_forward_channel::impl::settle_down(const std::shared_ptr<link>& l) {
  if (l->failed || !l->waiting.empty())
    return;
  if (l != current)
    return fail(l, "");
  if (!l->open)
    return;
  l->timer.expires_after(idle_close);
  l->timer.async_wait([this, l](error_code ec) {
    if (!ec && !l->failed && l->waiting.empty())
      fail(l, "");
  });
}

void peer_forward_channel::impl::retire(std::shared_ptr<link> l) {
  if (current == l)
    current.reset();
  settle_down(l);
}

void peer_forward_channel::impl::forget(const std::shared_ptr<waiting_request>& w) {
  auto l = w->on.lock();
  if (!l || l->failed)
    return;
  auto it = l->waiting.find(w->number);
  if (it == l->waiting.end() || it->second != w)
    return;
  l->waiting.erase(it);
  for (auto f = l->to_write.begin(); f != l->to_write.end(); ++f)
    if (f->first == w->number) {
      l->to_write.erase(f);
      break;
    }
  bool sent;
  {
    std::lock_guard<std::mutex> lock(w->mutex);
    sent = w->sending;
  }
  // Sent and never answered in time: the member or the way to it is stuck; later requests
  // go on a new channel.
  if (sent)
    retire(l);
  else
    settle_down(l);
}

void peer_forward_channel::impl::fail(const std::shared_ptr<link>& l, const std::string& why) {
  if (l->failed)
    return;
  l->failed = true;
  error_code ignored;
  l->stream.lowest_layer().close(ignored);
  l->timer.cancel();
  for (auto& [number, w] : l->waiting)
    w->settle_failed(why.empty() ? "the channel to " + l->who + " closed" : why);
  l->waiting.clear();
  l->to_write.clear();
  links.erase(l);
  if (current == l)
    current.reset();
}

peer_forward_channel::peer_forward_channel(const raft_tls_config& tls, uint64_t own_id)
    : impl_(std::make_unique<impl>(tls, own_id)) {}

peer_forward_channel::~peer_forward_channel() {
  close();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

void peer_forward_channel::close() {
  std::lock_guard<std::mutex> lock(impl_->submit_mutex);
  if (impl_->closing)
    return;
  impl_->closing = true;
  // After every request submitted before (the io thread runs posts in order); the thread ends
  // once the closed links' operations completed.
  net::post(impl_->io, [i = impl_.get()] {
    auto all = i->links;
    for (auto& l : all)
      i->fail(l, "this master is stopping: the channel to " + l->who + " closed");
    i->current.reset();
  });
  impl_->work.reset();
}

peer_forward_result peer_forward_channel::forward(const peer_forward_request& request,
                                                  std::chrono::milliseconds timeout) {
  const std::string who = "member " + std::to_string(request.peer_id) + " at " +
                          request.peer_address;
  if (!parse_endpoint(request.peer_address))
    return {outcome::not_sent, "the member address \"" + request.peer_address + "\" is no IP:PORT"};
  if (request.body.empty() || request.body.size() > max_forward_bytes)
    return {outcome::not_sent, "the request is empty or over " +
                                   std::to_string(max_forward_bytes) + " bytes"};
  struct counted {
    std::atomic<std::size_t>& n;
    ~counted() { --n; }
  } count{impl_->waiting};
  if (++impl_->waiting > max_waiting)
    return {outcome::not_sent, "too many requests wait for " + who + " already"};
  auto w = std::make_shared<impl::waiting_request>();
  {
    std::lock_guard<std::mutex> lock(impl_->submit_mutex);
    if (impl_->closing)
      return {outcome::not_sent, "this master is stopping: nothing is forwarded any more"};
    net::post(impl_->io, [i = impl_.get(), peer = request.peer_id,
                          address = request.peer_address,
                          body = std::make_shared<const std::string>(request.body), w] {
      i->submit(peer, address, body, w);
    });
  }
  std::unique_lock<std::mutex> lock(w->mutex);
  if (!w->settled.wait_for(lock, timeout, [&] { return w->result.has_value(); })) {
    w->result = peer_forward_result{
        w->sending ? outcome::unanswered : outcome::not_sent,
        who + " did not answer within " + std::to_string(timeout.count()) + " ms"};
    lock.unlock();
    std::lock_guard<std::mutex> submitting(impl_->submit_mutex);
    if (!impl_->closing)
      net::post(impl_->io, [i = impl_.get(), w] { i->forget(w); });
    lock.lock();
  }
  return *w->result;
}

}  // namespace capstan::store
