#include "dns/dns_server.hpp"

#include <array>
#include <deque>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <netinet/in.h>

#include <boost/asio.hpp>

#include "dns/dns_message.hpp"

namespace capstan::dns {

namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t max_datagram = 4096;
using freebind = net::detail::socket_option::boolean<IPPROTO_IP, IP_FREEBIND>;
constexpr std::size_t max_tcp_message = 65535;

udp::endpoint upstream_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  std::string host = text;
  uint16_t port = 53;
  if (colon != std::string::npos && text.find(':') == colon) {  // IPv4:PORT
    host = text.substr(0, colon);
    port = static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
  }
  return udp::endpoint(net::ip::make_address(host), port);
}

}  // namespace

std::vector<std::string> resolv_conf_nameservers(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver")
      continue;
    boost::system::error_code ec;
    auto address = net::ip::make_address(value, ec);
    if (!ec && address.is_v4())
      out.push_back(value);
  }
  return out;
}

struct dns_server::impl {
  struct tcp_client;
  // A forwarded question waiting for its upstream's answer.
  struct pending_forward {
    dns_question question;                   // its id is the client's
    udp::endpoint client;                    // a UDP client, or
    std::weak_ptr<tcp_client> tcp;    // a TCP one
    udp::endpoint upstream;
    std::chrono::steady_clock::time_point deadline;
  };
  struct tcp_client : std::enable_shared_from_this<tcp_client> {
    tcp_client(tcp::socket s, impl& i) : socket(std::move(s)), timer(socket.get_executor()), owner(i) {}
    tcp::socket socket;
    net::steady_timer timer;
    impl& owner;
    std::array<uint8_t, 2> length{};
    std::vector<uint8_t> message;
    std::deque<std::string> outbox;  // framed replies; the front one is being written
    bool closed = false;
    void close() {
      if (closed)
        return;
      closed = true;
      boost::system::error_code ec;
      socket.close(ec);
      timer.cancel();
      owner.tcp_connections--;
    }
  };

  dns_server_settings settings;
  zone_settings zone_config;
  net::io_context io{1};
  udp::socket udp_socket{io};
  udp::socket upstream_socket{io};
  tcp::acceptor acceptor{io};
  net::steady_timer sweep_timer{io};
  std::vector<udp::endpoint> upstreams;
  std::size_t next_upstream = 0;
  std::shared_ptr<const cluster_zone> zone;
  std::array<uint8_t, max_datagram> datagram{};
  udp::endpoint sender;
  std::array<uint8_t, max_datagram> upstream_datagram{};
  udp::endpoint upstream_sender;
  std::unordered_map<uint16_t, pending_forward> pending;
  std::mt19937 random{std::random_device{}()};
  std::thread thread;

  std::mutex update_mutex;
  std::optional<std::pair<std::vector<messages::service>, std::vector<messages::endpoints>>>
      next_update;

  std::atomic<uint64_t> queries{0}, answered{0}, forwarded{0}, failed{0}, refused{0};
  std::atomic<std::size_t> tcp_connections{0};

  impl(dns_server_settings s, zone_settings z) : settings(std::move(s)), zone_config(std::move(z)) {
    zone = std::make_shared<cluster_zone>(zone_config, std::vector<messages::service>{},
                                          std::vector<messages::endpoints>{});
    for (const auto& u : settings.upstreams) {
      try {
        upstreams.push_back(upstream_endpoint(u));
      } catch (const std::exception&) {
        std::fprintf(stderr, "capstan dns: ignoring upstream %s\n", u.c_str());
      }
    }
    auto address = net::ip::make_address(settings.address);
    tcp::endpoint tcp_at(address, settings.port);
    acceptor.open(tcp_at.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (settings.freebind)
      acceptor.set_option(freebind(true));
    acceptor.bind(tcp_at);
    acceptor.listen(64);
    udp::endpoint udp_at(address, acceptor.local_endpoint().port());
    udp_socket.open(udp_at.protocol());
    if (settings.freebind)
      udp_socket.set_option(freebind(true));
    udp_socket.bind(udp_at);
    upstream_socket.open(udp::v4());
    upstream_socket.bind(udp::endpoint(udp::v4(), 0));
  }

  // ---- answering ---------------------------------------------------------------------------
  // The reply to one query: from the zone, a refusal, or "" (dropped, or forwarded: the
  // upstream's answer goes to `udp_client` or `tcp` later).
  std::string answer_query(const uint8_t* data, std::size_t size, const udp::endpoint* udp_client,
                           const std::shared_ptr<tcp_client>& tcp) {
    auto reading = read_query(data, size);
    if (std::holds_alternative<drop_message>(reading))
      return "";
    if (auto* reply = std::get_if<std::string>(&reading)) {
      refused++;
      return *reply;
    }
    auto& q = std::get<dns_question>(reading);
    queries++;
    auto answer = zone->answer(q.name, q.type);
    if (answer.in_zone) {
      answered++;
      return write_answer(q, answer, udp_client ? q.udp_size : max_tcp_message);
    }
    if (upstreams.empty() || pending.size() >= settings.max_pending_forwards) {
      failed++;
      return write_failure(q, response_code::server_failure);
    }
    uint16_t id = 0;
    do {
      id = static_cast<uint16_t>(random());
    } while (pending.count(id));
    std::string out(reinterpret_cast<const char*>(data), size);
    set_message_id(out, id);
    pending_forward f;
    f.question = q;
    if (udp_client)
      f.client = *udp_client;
    f.tcp = tcp;
    f.upstream = upstreams[next_upstream++ % upstreams.size()];
    f.deadline = std::chrono::steady_clock::now() + settings.upstream_timeout;
    boost::system::error_code ec;
    upstream_socket.send_to(net::buffer(out), f.upstream, 0, ec);
    if (ec) {
      failed++;
      return write_failure(q, response_code::server_failure);
    }
    forwarded++;
    pending.emplace(id, std::move(f));
    return "";
  }

  // An answer to a pending question, to the client that asked it (if it is still there).
  void reply_to_client(const pending_forward& f, std::string reply) {
    if (auto c = f.tcp.lock())
      send_tcp(c, std::move(reply));
    else if (f.client.port() != 0)
      send_udp(reply, f.client);
  }

  void send_udp(const std::string& reply, const udp::endpoint& to) {
    if (reply.empty())
      return;
    boost::system::error_code ec;
    udp_socket.send_to(net::buffer(reply), to, 0, ec);  // a full buffer drops it: UDP
  }

  // Queues a framed reply; one write at a time per connection.
  void send_tcp(const std::shared_ptr<tcp_client>& c, std::string reply) {
    if (reply.empty() || c->closed)
      return;
    std::string framed;
    framed.push_back(static_cast<char>(reply.size() >> 8));
    framed.push_back(static_cast<char>(reply.size() & 0xff));
    framed += reply;
    c->outbox.push_back(std::move(framed));
    if (c->outbox.size() == 1)
      write_next(c);
  }

  void write_next(const std::shared_ptr<tcp_client>& c) {
    net::async_write(c->socket, net::buffer(c->outbox.front()),
                     [this, c](boost::system::error_code ec, std::size_t) {
                       if (ec || c->closed)
                         return c->close();
                       c->outbox.pop_front();
                       if (!c->outbox.empty())
                         write_next(c);
                     });
  }

  // ---- UDP ---------------------------------------------------------------------------------
  void receive_udp() {
    udp_socket.async_receive_from(
        net::buffer(datagram), sender, [this](boost::system::error_code ec, std::size_t size) {
          if (ec == net::error::operation_aborted)
            return;
          if (!ec) {
            try {
              send_udp(answer_query(datagram.data(), size, &sender, nullptr), sender);
            } catch (const std::exception& e) {
              std::fprintf(stderr, "capstan dns: %s\n", e.what());
            }
          }
          receive_udp();
        });
  }

  void receive_upstream() {
    upstream_socket.async_receive_from(
        net::buffer(upstream_datagram), upstream_sender,
        [this](boost::system::error_code ec, std::size_t size) {
          if (ec == net::error::operation_aborted)
            return;
          if (!ec && size >= 12) {
            uint16_t id = static_cast<uint16_t>(upstream_datagram[0] << 8 | upstream_datagram[1]);
            auto found = pending.find(id);
            // Only the server it was sent to may answer it (no spoofing from elsewhere).
            if (found != pending.end() && found->second.upstream == upstream_sender) {
              std::string reply(reinterpret_cast<const char*>(upstream_datagram.data()), size);
              set_message_id(reply, found->second.question.id);
              reply_to_client(found->second, std::move(reply));
              pending.erase(found);
            }
          }
          receive_upstream();
        });
  }

  // Every 100 ms: questions whose upstream did not answer in time get SERVFAIL.
  void sweep() {
    sweep_timer.expires_after(std::chrono::milliseconds(100));
    sweep_timer.async_wait([this](boost::system::error_code ec) {
      if (ec)
        return;
      auto now = std::chrono::steady_clock::now();
      for (auto it = pending.begin(); it != pending.end();) {
        if (it->second.deadline > now) {
          ++it;
          continue;
        }
        failed++;
        reply_to_client(it->second, write_failure(it->second.question, response_code::server_failure));
        it = pending.erase(it);
      }
      sweep();
    });
  }

  // ---- TCP ---------------------------------------------------------------------------------
  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted)
        return;
      if (!ec) {
        if (tcp_connections.load() >= settings.max_tcp_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          tcp_connections++;
          auto c = std::make_shared<tcp_client>(std::move(socket), *this);
          read_length(c);
        }
      }
      accept();
    });
  }

  void arm_idle(const std::shared_ptr<tcp_client>& c) {
    c->timer.expires_after(settings.tcp_idle_timeout);
    c->timer.async_wait([c](boost::system::error_code ec) {
      if (!ec)
        c->close();
    });
  }

  void read_length(const std::shared_ptr<tcp_client>& c) {
    arm_idle(c);
    net::async_read(c->socket, net::buffer(c->length),
                    [this, c](boost::system::error_code ec, std::size_t) {
                      if (ec || c->closed)
                        return c->close();
                      std::size_t size = std::size_t(c->length[0]) << 8 | c->length[1];
                      if (size < 12)
                        return c->close();
                      c->message.resize(size);
                      net::async_read(c->socket, net::buffer(c->message),
                                      [this, c](boost::system::error_code ec, std::size_t) {
                                        if (ec || c->closed)
                                          return c->close();
                                        try {
                                          send_tcp(c, answer_query(c->message.data(),
                                                                   c->message.size(), nullptr, c));
                                        } catch (const std::exception& e) {
                                          std::fprintf(stderr, "capstan dns: %s\n", e.what());
                                        }
                                        read_length(c);
                                      });
                    });
  }

  // ---- zone updates ------------------------------------------------------------------------
  void apply_update() {
    std::optional<std::pair<std::vector<messages::service>, std::vector<messages::endpoints>>> u;
    {
      std::lock_guard<std::mutex> lock(update_mutex);
      u.swap(next_update);
    }
    if (!u)
      return;
    try {
      zone = std::make_shared<cluster_zone>(zone_config, u->first, u->second);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "capstan dns: the zone was not rebuilt: %s\n", e.what());
    }
  }
};

dns_server::dns_server(dns_server_settings settings, zone_settings zone) {
  try {
    impl_ = std::make_unique<impl>(std::move(settings), std::move(zone));
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("cannot serve DNS: ") + e.what());
  }
  auto& i = *impl_;
  i.receive_udp();
  i.receive_upstream();
  i.accept();
  i.sweep();
  i.thread = std::thread([&i] {
    for (;;) {
      try {
        i.io.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "capstan dns: %s\n", e.what());
      }
    }
  });
}

dns_server::~dns_server() {
  impl_->io.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

void dns_server::update(std::vector<messages::service> services,
                        std::vector<messages::endpoints> endpoints) {
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(impl_->update_mutex);
    post = !impl_->next_update.has_value();
    impl_->next_update.emplace(std::move(services), std::move(endpoints));
  }
  if (post)
    net::post(impl_->io, [i = impl_.get()] { i->apply_update(); });
}

uint16_t dns_server::port() const { return impl_->acceptor.local_endpoint().port(); }

dns_server_stats dns_server::stats() const {
  dns_server_stats s;
  s.queries = impl_->queries.load();
  s.answered = impl_->answered.load();
  s.forwarded = impl_->forwarded.load();
  s.failed = impl_->failed.load();
  s.refused = impl_->refused.load();
  s.tcp_connections = impl_->tcp_connections.load();
  return s;
}

}  // namespace capstan::dns
