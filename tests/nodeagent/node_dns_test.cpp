// Tests nodeagent/node_dns.cpp on 127.0.0.1: the server starts once both the pod network and
// the cluster DNS are known, listens on the gateway, answers the services it is given, takes
// the node's resolvers as upstreams, installs the redirect rules once, and is not restarted
// by the same settings.
#include <boost/test/unit_test.hpp>

#include <ldns/ldns.h>
#include <poll.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "nodeagent/node_dns.hpp"

using namespace capstan;
using namespace capstan::nodeagent;
namespace net = boost::asio;
using udp = net::ip::udp;

namespace {

struct recorder {
  std::vector<std::vector<std::string>> commands;
  bool jumps_exist = false;
  node_dns::command_runner runner() {
    return [this](const std::vector<std::string>& argv) {
      commands.push_back(argv);
      common::process_result r;
      r.exit_code = (argv.size() > 4 && argv[4] == "-C" && !jumps_exist) ? 1 : 0;
      return r;
    };
  }
  bool ran(const std::vector<std::string>& argv) const {
    return std::find(commands.begin(), commands.end(), argv) != commands.end();
  }
};

// The first A record `name` gets from 127.0.0.1:`port`, or "" (none within 3 s).
std::string resolve(uint16_t port, const char* name) {
  ldns_pkt* q = nullptr;
  BOOST_REQUIRE(ldns_pkt_query_new_frm_str(&q, name, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD) == LDNS_STATUS_OK);
  uint8_t* wire = nullptr;
  size_t size = 0;
  BOOST_REQUIRE(ldns_pkt2wire(&wire, q, &size) == LDNS_STATUS_OK);
  ldns_pkt_free(q);
  net::io_context io;
  udp::socket s(io, udp::endpoint(udp::v4(), 0));
  s.send_to(net::buffer(wire, size), udp::endpoint(net::ip::make_address("127.0.0.1"), port));
  std::free(wire);
  pollfd p{s.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, 3000) != 1)
    return "";
  std::array<uint8_t, 4096> buffer{};
  udp::endpoint from;
  auto n = s.receive_from(net::buffer(buffer), from);
  ldns_pkt* answer = nullptr;
  if (ldns_wire2pkt(&answer, buffer.data(), n) != LDNS_STATUS_OK)
    return "";
  std::string out;
  if (ldns_pkt_ancount(answer) > 0) {
    char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(answer), 0), 0));
    out = text ? text : "";
    std::free(text);
  }
  ldns_pkt_free(answer);
  return out;
}

messages::service web() {
  messages::service s;
  s.metadata.namespace_ = "default";
  s.metadata.name = "web";
  s.spec.cluster_ip = "10.254.0.21";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_server_starts_on_the_gateway_once_both_settings_are_known) {
  auto conf = std::filesystem::temp_directory_path() / ("node-dns-test-" + std::to_string(::getpid()));
  std::ofstream(conf) << "nameserver 192.0.2.53\nnameserver 10.254.0.10\n";
  recorder r;
  node_dns dns(r.runner(), conf.string(), 0);
  dns.update({web()}, {});
  dns.set_cluster("10.254.0.10", "cluster.local");
  BOOST_TEST(!dns.server());
  dns.set_pod_cidr("127.0.0.0/24");
  BOOST_REQUIRE(dns.server());
  BOOST_TEST(dns.settings().listen_address == "127.0.0.1");
  const uint16_t port = dns.server()->port();
  bool resolved = false;
  for (int i = 0; i < 100 && !resolved; ++i)
    resolved = resolve(port, "web.default.svc.cluster.local.") == "10.254.0.21";
  BOOST_TEST(resolved);
  const std::string to = "127.0.0.1:" + std::to_string(port);
  BOOST_TEST(r.ran({"iptables", "-w", "-t", "nat", "-A", "CAPSTAN-DNS", "-d", "10.254.0.10/32",
                    "-p", "udp", "--dport", "53", "-j", "DNAT", "--to-destination", to}));
  BOOST_TEST(r.ran({"iptables", "-w", "-t", "nat", "-I", "PREROUTING", "1", "-j", "CAPSTAN-DNS"}));
  BOOST_TEST(r.ran({"iptables", "-w", "-t", "nat", "-I", "OUTPUT", "1", "-j", "CAPSTAN-DNS"}));
  // The same settings again: the same server, no more commands.
  const auto* server = dns.server();
  const auto commands = r.commands.size();
  dns.set_cluster("10.254.0.10", "cluster.local");
  dns.set_pod_cidr("127.0.0.0/24");
  BOOST_TEST(dns.server() == server);
  BOOST_TEST(r.commands.size() == commands);
  // Later updates reach the running server.
  auto other = web();
  other.spec.cluster_ip = "10.254.0.22";
  dns.update({other}, {});
  resolved = false;
  for (int i = 0; i < 100 && !resolved; ++i)
    resolved = resolve(port, "web.default.svc.cluster.local.") == "10.254.0.22";
  BOOST_TEST(resolved);
  std::filesystem::remove(conf);
}

BOOST_AUTO_TEST_CASE(no_cluster_dns_no_server_and_the_rules_name_the_gateway) {
  recorder r;
  node_dns dns(r.runner(), "/nonexistent/resolv.conf", 0);
  dns.set_pod_cidr("127.0.0.0/24");
  dns.set_cluster("", "cluster.local");
  BOOST_TEST(!dns.server());
  BOOST_TEST(r.commands.empty());
  auto commands = dns_redirect_commands("10.254.0.10", "10.1.0.1", 53);
  BOOST_REQUIRE(commands.size() == 4u);
  BOOST_TEST(commands[3].back() == "10.1.0.1:53");
  BOOST_TEST(commands[3][9] == "tcp");
}
