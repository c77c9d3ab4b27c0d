#include "proxy/tcp_relay.hpp"

#include <array>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include <boost/asio.hpp>

namespace capstan::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

// Copies bytes between two sockets until either side closes, then closes both.
class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket client, tcp::socket backend)
      : client_(std::move(client)), backend_(std::move(backend)) {}
  void start() {
    pump(client_, backend_, up_);
    pump(backend_, client_, down_);
  }

private:
  void pump(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
    auto self = shared_from_this();
    from.async_read_some(asio::buffer(buffer), [this, self, &from, &to, &buffer](
                                                   boost::system::error_code ec, std::size_t n) {
      if (ec) {
        // Half-close: the other direction may still be sending.
        boost::system::error_code ignored;
        to.shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      asio::async_write(
          to, asio::buffer(buffer.data(), n),
          [this, self, &from, &to, &buffer](boost::system::error_code ec, std::size_t) {
            if (ec) {
              boost::system::error_code ignored;
              from.close(ignored);
              to.close(ignored);
              return;
            }
            pump(from, to, buffer);
          });
    });
  }
  tcp::socket client_, backend_;
  std::array<char, 16384> up_{}, down_{};
};

struct service_listener : std::enable_shared_from_this<service_listener> {
  explicit service_listener(asio::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  std::vector<std::pair<std::string, int32_t>> endpoints;
  std::map<std::string, steady::time_point> dead_until;  // "ip:port" -> retry after
  std::size_t next = 0;

  void accept() {
    auto self = shared_from_this();
    acceptor.async_accept([self](boost::system::error_code ec, tcp::socket client) {
      if (ec)
        return;  // closed
      auto shared_client = std::make_shared<tcp::socket>(std::move(client));
      self->connect(shared_client, 0);
      self->accept();
    });
  }

  // Tries endpoints from the round-robin position, skipping dead ones, `tried` so far.
  void connect(std::shared_ptr<tcp::socket> client, std::size_t tried) {
    auto now = steady::now();
    while (tried < endpoints.size()) {
      const auto& ep = endpoints[next++ % endpoints.size()];
      ++tried;
      std::string id = ep.first + ":" + std::to_string(ep.second);
      auto dead = dead_until.find(id);
      if (dead != dead_until.end() && dead->second > now && tried < endpoints.size())
        continue;
      boost::system::error_code ec;
      auto address = asio::ip::make_address(ep.first, ec);
      if (ec)
        continue;
      auto backend = std::make_shared<tcp::socket>(acceptor.get_executor());
      auto self = shared_from_this();
      backend->async_connect(
          tcp::endpoint(address, static_cast<uint16_t>(ep.second)),
          [self, client, backend, id, tried](boost::system::error_code ec) {
            if (ec) {
              self->dead_until[id] = steady::now() + std::chrono::seconds(5);
              self->connect(client, tried);
              return;
            }
            self->dead_until.erase(id);
            std::make_shared<session>(std::move(*client), std::move(*backend))->start();
          });
      return;
    }
    boost::system::error_code ignored;
    client->close(ignored);  // no endpoint answers: the client sees the connection end
  }
};

}  // namespace

struct tcp_relay::impl {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::map<std::string, std::shared_ptr<service_listener>> listeners;  // io thread only
  std::thread thread{[this] { io.run(); }};

  // Runs `f` on the io thread and waits for its result.
  template <class F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io, [&task] { task(); });
    return result.get();
  }
};

tcp_relay::tcp_relay() : impl_(std::make_unique<impl>()) {}

tcp_relay::~tcp_relay() {
  impl_->on_io([this] {
    for (auto& [key, l] : impl_->listeners) {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
    }
    impl_->listeners.clear();
    return 0;
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t tcp_relay::open(const std::string& key) {
  return impl_->on_io([this, key]() -> uint16_t {
    auto& l = impl_->listeners[key];
    if (!l) {
      l = std::make_shared<service_listener>(impl_->io);
      tcp::endpoint any(tcp::v4(), 0);
      l->acceptor.open(any.protocol());
      l->acceptor.set_option(tcp::acceptor::reuse_address(true));
      l->acceptor.bind(any);
      l->acceptor.listen();
      l->accept();
    }
    return l->acceptor.local_endpoint().port();
  });
}

void tcp_relay::set_endpoints(const std::string& key,
                              std::vector<std::pair<std::string, int32_t>> endpoints) {
  impl_->on_io([this, key, endpoints = std::move(endpoints)]() mutable {
    auto it = impl_->listeners.find(key);
    if (it != impl_->listeners.end())
      it->second->endpoints = std::move(endpoints);
    return 0;
  });
}

void tcp_relay::close(const std::string& key) {
  impl_->on_io([this, key] {
    auto it = impl_->listeners.find(key);
    if (it != impl_->listeners.end()) {
      boost::system::error_code ignored;
      it->second->acceptor.close(ignored);
      impl_->listeners.erase(it);
    }
    return 0;
  });
}

}  // namespace capstan::proxy
