// dns_bench: how many questions one node's DNS server answers per second, on 127.0.0.1.
// A zone of --services services (ClusterIP, one named port) and, with --headless, as many
// headless ones with 3 endpoints; --clients UDP clients each keep --window questions in flight
// (A records of random services, and 1 in 10 a name that does not exist) for --seconds. Also
// how long a zone update takes to be in force. Prints a table and one JSON line.
// Usage: dns_bench [--services N] [--clients N] [--window N] [--seconds S]
#include <ldns/ldns.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "dns/dns_server.hpp"
#include "tools/cli/cli.hpp"

namespace {

using namespace capstan;
namespace net = boost::asio;
using udp = net::ip::udp;
using clock_type = std::chrono::steady_clock;

std::string query(const std::string& name, uint16_t id) {
  ldns_pkt* p = nullptr;
  if (ldns_pkt_query_new_frm_str(&p, name.c_str(), LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD) !=
      LDNS_STATUS_OK)
    return "";
  ldns_pkt_set_id(p, id);
  uint8_t* wire = nullptr;
  size_t size = 0;
  ldns_pkt2wire(&wire, p, &size);
  std::string out(reinterpret_cast<char*>(wire), size);
  std::free(wire);
  ldns_pkt_free(p);
  return out;
}

std::vector<messages::service> services(int n, bool headless, std::vector<messages::endpoints>& eps) {
  std::vector<messages::service> out;
  for (int i = 0; i < n; ++i) {
    messages::service s;
    s.metadata.namespace_ = "ns" + std::to_string(i % 50);
    s.metadata.name = "svc" + std::to_string(i);
    s.spec.cluster_ip = "10.254." + std::to_string(1 + i / 250) + "." + std::to_string(i % 250 + 1);
    s.spec.ports = {{"http", "TCP", 80, {}, 0}};
    out.push_back(s);
    if (headless) {
      s.metadata.name = "hl" + std::to_string(i);
      s.spec.cluster_ip = "None";
      out.push_back(s);
      messages::endpoints e;
      e.metadata = s.metadata;
      e.subsets.resize(1);
      for (int k = 0; k < 3; ++k) {
        messages::endpoint_address a;
        a.ip = "10.1." + std::to_string(i % 200) + "." + std::to_string(k + 2);
        e.subsets[0].addresses.push_back(a);
      }
      e.subsets[0].ports = {{"http", 80, "TCP"}};
      eps.push_back(e);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int service_count = 10000, clients = 2, window = 64;
  double seconds = 5;
  bool headless = false;
  CLI::App app{"dns_bench: one node's DNS server, questions per second on 127.0.0.1"};
  app.add_option("--services", service_count)->capture_default_str();
  app.add_option("--clients", clients)->capture_default_str();
  app.add_option("--window", window, "Questions in flight per client")->capture_default_str();
  app.add_option("--seconds", seconds)->capture_default_str();
  app.add_flag("--headless", headless, "As many headless services, 3 endpoints each");
  CLI11_PARSE(app, argc, argv);

  dns::dns_server_settings settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  dns::dns_server server(settings, {});
  std::vector<messages::endpoints> eps;
  auto svcs = services(service_count, headless, eps);
  // Update latency: from update() until the last service resolves.
  auto update_started = clock_type::now();
  server.update(svcs, eps);
  const std::string last = "svc" + std::to_string(service_count - 1) + ".ns" +
                           std::to_string((service_count - 1) % 50) + ".svc.cluster.local.";
  net::io_context io;
  double update_ms = -1;
  {
    udp::socket s(io, udp::endpoint(udp::v4(), 0));
    udp::endpoint to(net::ip::make_address("127.0.0.1"), server.port());
    for (int attempt = 0; attempt < 100000 && update_ms < 0; ++attempt) {
      s.send_to(net::buffer(query(last, 1)), to);
      pollfd p{s.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, 1000) != 1)
        continue;
      std::array<uint8_t, 4096> buffer{};
      udp::endpoint from;
      auto n = s.receive_from(net::buffer(buffer), from);
      if (n > 7 && (buffer[7] | buffer[6] << 8) > 0)  // ANCOUNT
        update_ms = std::chrono::duration<double, std::milli>(clock_type::now() - update_started).count();
    }
  }

  std::atomic<uint64_t> answered{0}, nxdomain{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      net::io_context cio;
      udp::socket s(cio, udp::endpoint(udp::v4(), 0));
      udp::endpoint to(net::ip::make_address("127.0.0.1"), server.port());
      std::mt19937 random(c + 1);
      std::vector<std::string> questions;
      for (int i = 0; i < 4096; ++i) {
        int k = static_cast<int>(random() % service_count);
        std::string name = i % 10 == 9 ? "missing" + std::to_string(k) + ".ns1.svc.cluster.local."
                                        : "svc" + std::to_string(k) + ".ns" +
                                              std::to_string(k % 50) + ".svc.cluster.local.";
        questions.push_back(query(name, static_cast<uint16_t>(i)));
      }
      std::size_t next = 0;
      for (int i = 0; i < window; ++i)
        s.send_to(net::buffer(questions[next++ % questions.size()]), to);
      std::array<uint8_t, 4096> buffer{};
      while (!stop) {
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, 200) != 1) {  // lost: put the window back
          for (int i = 0; i < window; ++i)
            s.send_to(net::buffer(questions[next++ % questions.size()]), to);
          continue;
        }
        udp::endpoint from;
        auto n = s.receive_from(net::buffer(buffer), from);
        if (n >= 12 && (buffer[3] & 0x0f) == 3)
          nxdomain++;
        answered++;
        s.send_to(net::buffer(questions[next++ % questions.size()]), to);
      }
    });
  auto started = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  uint64_t total = answered.load();
  double elapsed = std::chrono::duration<double>(clock_type::now() - started).count();
  stop = true;
  for (auto& t : threads)
    t.join();
  double qps = total / elapsed;
  std::printf("%-28s %12s\n", "services in the zone", std::to_string(svcs.size()).c_str());
  std::printf("%-28s %12.1f\n", "zone update in force (ms)", update_ms);
  std::printf("%-28s %12.0f\n", "answers/s (UDP)", qps);
  std::printf("%-28s %12.3f\n", "NXDOMAIN share", total ? double(nxdomain) / total : 0.0);
  nlohmann::json line = {{"bench", "dns"},
                         {"services", svcs.size()},
                         {"clients", clients},
                         {"window", window},
                         {"update_ms", update_ms},
                         {"answers_per_second", qps}};
  std::printf("%s\n", line.dump().c_str());
  return 0;
}
