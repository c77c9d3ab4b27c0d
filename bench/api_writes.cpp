// api_writes: durable writes per second through the API, as a client sees them, against any
// running master or cluster of masters (the lab's, say: scripts/lab on NODE build/bench/api_writes
// --kubeconfig ...). W writers, each with one keep-alive HTTPS connection and one request in
// flight, create ConfigMaps in a namespace of their own; each is a journal record acknowledged
// once durable (on a cluster of masters: once a majority holds it). Prints a table and one JSON
// line. Usage:
//   api_writes --kubeconfig FILE [--server https://HOST:PORT] [--writers 32] [--writes 20000]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "tools/cli/cli.hpp"
#include "tools/ctl/connection.hpp"

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using clock_type = std::chrono::steady_clock;

// One keep-alive HTTPS connection to the API, verified against the kubeconfig's CA.
class api_client {
public:
  explicit api_client(const capstan::ctl::connection& c) : c_(c), tls_(ssl::context::tls_client) {
    if (c.insecure) {
      tls_.set_verify_mode(ssl::verify_none);
    } else {
      tls_.add_certificate_authority(net::buffer(c.ca_pem));
      tls_.set_verify_mode(ssl::verify_peer);
    }
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, tls_);
    net::ip::tcp::resolver resolver(io_);
    beast::get_lowest_layer(*stream_).connect(resolver.resolve(c.host, c.port));
    stream_->handshake(ssl::stream_base::client);
  }
  // The HTTP status of a POST of `body` to `target`.
  int post(const std::string& target, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, c_.host);
    req.set(http::field::user_agent, "api_writes");
    req.set(http::field::content_type, "application/json");
    req.set(http::field::authorization, "Bearer " + c_.token);
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(*stream_, req);
    http::response<http::string_body> res;
    http::read(*stream_, buffer_, res);
    return res.result_int();
  }

private:
  const capstan::ctl::connection& c_;
  net::io_context io_;
  ssl::context tls_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty())
    return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * sorted.size()))];
}

int run(const capstan::ctl::connection_options& options, int writers, int writes) {
  std::string why;
  auto c = capstan::ctl::resolve_connection(options, &why);
  if (!c) {
    std::cerr << "api_writes: " << why << "\n";
    return 1;
  }
  const std::string ns = "api-writes-" + std::to_string(getpid());
  {
    api_client setup(*c);
    int status = setup.post("/api/v1/namespaces",
                            nlohmann::json{{"apiVersion", "v1"},
                                           {"kind", "Namespace"},
                                           {"metadata", {{"name", ns}}}}
                                .dump());
    if (status != 201) {
      std::cerr << "api_writes: creating namespace " << ns << " answered HTTP " << status << "\n";
      return 1;
    }
  }
  const std::string target = "/api/v1/namespaces/" + ns + "/configmaps";
  std::atomic<int> next{0}, failed{0};
  std::mutex mutex;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(writes);
  auto start = clock_type::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&] {
      std::vector<double> mine;
      try {
        api_client client(*c);
        for (int n = next++; n < writes; n = next++) {
          std::string body = nlohmann::json{{"apiVersion", "v1"},
                                            {"kind", "ConfigMap"},
                                            {"metadata", {{"name", "w-" + std::to_string(n)}}},
                                            {"data", {{"k", std::string(200, 'v')}}}}
                                 .dump();
          auto sent = clock_type::now();
          if (client.post(target, body) != 201)
            ++failed;
          mine.push_back(
              std::chrono::duration<double, std::milli>(clock_type::now() - sent).count());
        }
      } catch (const std::exception& e) {
        ++failed;
        std::cerr << "api_writes: a writer stopped: " << e.what() << "\n";
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  for (auto& t : threads)
    t.join();
  const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double per_second = (writes - failed.load()) / seconds;
  std::printf("api_writes: %d ConfigMaps by %d writers (one keep-alive connection each) to %s:%s\n",
              writes, writers, c->host.c_str(), c->port.c_str());
  std::printf("  durable writes/s      %10.0f  (%.2f s, %d failed)\n", per_second, seconds,
              failed.load());
  std::printf("  latency               p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n",
              percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99),
              latencies_ms.empty() ? 0.0 : latencies_ms.back());
  std::cout << nlohmann::json{{"bench", "api_writes"},
                              {"writers", writers},
                              {"writes", writes},
                              {"failed", failed.load()},
                              {"seconds", seconds},
                              {"writes_per_second", per_second},
                              {"p50_ms", percentile(latencies_ms, 0.5)},
                              {"p99_ms", percentile(latencies_ms, 0.99)}}
                   .dump()
            << std::endl;
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  capstan::ctl::connection_options options;
  int writers = 32, writes = 20000;
  CLI::App app{"api_writes: durable writes per second through the API (ConfigMaps created by "
               "concurrent keep-alive clients)",
               "api_writes"};
  capstan::cli::set_conventions(app);
  app.add_option("--kubeconfig", options.kubeconfig, "The kubeconfig (its server, CA, token)");
  app.add_option("--server", options.server, "Another server than the kubeconfig's");
  app.add_option("--writers", writers, "Concurrent writers, one connection each")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--writes", writes, "ConfigMaps to create")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.callback([&] { capstan::cli::exit_with(run(options, writers, writes)); });
  return capstan::cli::run(app, argc, argv);
}
