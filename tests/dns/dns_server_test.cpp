// Tests dns/dns_server.cpp on 127.0.0.1: the zone's answers over UDP and TCP (pipelined),
// updates in force at once, other names forwarded to an upstream and its answer relayed with
// the client's id, SERVFAIL when the upstream is silent or absent, garbage refused, and the
// TCP connection limit.
#include <boost/test/unit_test.hpp>

#include <ldns/ldns.h>
#include <poll.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "dns/dns_message.hpp"
#include "dns/dns_server.hpp"

using namespace capstan;
using namespace capstan::dns;
namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

namespace {

std::string query(const char* name, ldns_rr_type type, uint16_t id) {
  ldns_pkt* p = nullptr;
  BOOST_REQUIRE(ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, LDNS_RD) == LDNS_STATUS_OK);
  ldns_pkt_set_id(p, id);
  uint8_t* wire = nullptr;
  size_t size = 0;
  BOOST_REQUIRE(ldns_pkt2wire(&wire, p, &size) == LDNS_STATUS_OK);
  std::string out(reinterpret_cast<char*>(wire), size);
  std::free(wire);
  ldns_pkt_free(p);
  return out;
}

// Whether `fd` becomes readable within `ms` (Asio's blocking reads ignore SO_RCVTIMEO).
bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

// One UDP exchange with the server: the reply, or "" after `ms` without one.
std::string ask_udp(uint16_t port, const std::string& message, int ms = 3000) {
  net::io_context io;
  udp::socket s(io, udp::endpoint(udp::v4(), 0));
  s.send_to(net::buffer(message), udp::endpoint(net::ip::make_address("127.0.0.1"), port));
  if (!readable(s.native_handle(), ms))
    return "";
  std::array<char, 4096> buffer{};
  boost::system::error_code ec;
  udp::endpoint from;
  auto n = s.receive_from(net::buffer(buffer), from, 0, ec);
  return ec ? "" : std::string(buffer.data(), n);
}

struct reply {
  ldns_pkt* p = nullptr;
  explicit reply(const std::string& wire) {
    BOOST_REQUIRE(!wire.empty());
    BOOST_REQUIRE(ldns_wire2pkt(&p, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) ==
                  LDNS_STATUS_OK);
  }
  ~reply() { ldns_pkt_free(p); }
  std::string first_answer() const {
    if (ldns_pkt_ancount(p) == 0)
      return "";
    char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
    std::string out = text ? text : "";
    std::free(text);
    return out;
  }
};

messages::service web(const std::string& ip) {
  messages::service s;
  s.metadata.namespace_ = "default";
  s.metadata.name = "web";
  s.spec.cluster_ip = ip;
  return s;
}

// Waits (at most 5 s) until `name` resolves to `want` through `port`.
bool resolves_to(uint16_t port, const char* name, const std::string& want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto wire = ask_udp(port, query(name, LDNS_RR_TYPE_A, 1));
    if (!wire.empty() && reply(wire).first_answer() == want)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

dns_server_settings on_loopback(std::vector<std::string> upstreams = {}) {
  dns_server_settings s;
  s.address = "127.0.0.1";
  s.port = 0;
  s.upstreams = std::move(upstreams);
  s.upstream_timeout = std::chrono::milliseconds(300);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_zone_answers_over_udp_and_follows_updates) {
  dns_server server(on_loopback(), {});
  auto before = reply(ask_udp(server.port(), query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, 5)));
  BOOST_TEST(ldns_pkt_get_rcode(before.p) == LDNS_RCODE_NXDOMAIN);
  BOOST_TEST(ldns_pkt_id(before.p) == 5);
  server.update({web("10.254.0.21")}, {});
  BOOST_TEST(resolves_to(server.port(), "web.default.svc.cluster.local.", "10.254.0.21"));
  server.update({web("10.254.0.22")}, {});
  BOOST_TEST(resolves_to(server.port(), "web.default.svc.cluster.local.", "10.254.0.22"));
  server.update({}, {});
  auto gone = reply(ask_udp(server.port(), query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, 6)));
  BOOST_TEST(ldns_pkt_get_rcode(gone.p) == LDNS_RCODE_NXDOMAIN);
  BOOST_TEST(server.stats().answered >= 3u);
}

BOOST_AUTO_TEST_CASE(tcp_queries_are_answered_pipelined_and_connections_are_bounded) {
  auto settings = on_loopback();
  settings.max_tcp_connections = 2;
  dns_server server(settings, {});
  server.update({web("10.254.0.21")}, {});
  BOOST_REQUIRE(resolves_to(server.port(), "web.default.svc.cluster.local.", "10.254.0.21"));
  net::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  std::string both;
  for (uint16_t id : {11, 12}) {
    auto q = query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, id);
    both.push_back(static_cast<char>(q.size() >> 8));
    both.push_back(static_cast<char>(q.size() & 0xff));
    both += q;
  }
  net::write(s, net::buffer(both));
  for (uint16_t id : {11, 12}) {
    BOOST_REQUIRE(readable(s.native_handle(), 3000));
    std::array<uint8_t, 2> length{};
    net::read(s, net::buffer(length));
    std::string message(std::size_t(length[0]) << 8 | length[1], '\0');
    net::read(s, net::buffer(message));
    reply r(message);
    BOOST_TEST(ldns_pkt_id(r.p) == id);
    BOOST_TEST(r.first_answer() == "10.254.0.21");
  }
  // A second connection is served, a third closed at once.
  tcp::socket second(io), third(io);
  second.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.stats().tcp_connections < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  BOOST_TEST(server.stats().tcp_connections == 2u);
  third.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  BOOST_REQUIRE(readable(third.native_handle(), 3000));  // the close
  std::array<char, 1> one{};
  boost::system::error_code ec;
  third.read_some(net::buffer(one), ec);
  BOOST_TEST((ec == net::error::eof || ec == net::error::connection_reset), ec.message());
}

BOOST_AUTO_TEST_CASE(other_names_are_forwarded_with_the_clients_id_or_fail) {
  // An upstream that answers every question with 192.0.2.1 (the test answers it by hand).
  net::io_context io;
  udp::socket upstream(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  const auto upstream_port = upstream.local_endpoint().port();
  dns_server server(on_loopback({"127.0.0.1:" + std::to_string(upstream_port)}), {});
  std::string answered;
  std::thread client([&] { answered = ask_udp(server.port(), query("example.com.", LDNS_RR_TYPE_A, 321)); });
  BOOST_REQUIRE(readable(upstream.native_handle(), 3000));
  std::array<char, 4096> buffer{};
  udp::endpoint from;
  boost::system::error_code ec;
  auto n = upstream.receive_from(net::buffer(buffer), from, 0, ec);
  BOOST_REQUIRE(!ec);
  ldns_pkt* asked = nullptr;
  BOOST_REQUIRE(ldns_wire2pkt(&asked, reinterpret_cast<uint8_t*>(buffer.data()), n) == LDNS_STATUS_OK);
  ldns_pkt_set_qr(asked, true);
  ldns_rr* a = nullptr;
  BOOST_REQUIRE(ldns_rr_new_frm_str(&a, "example.com. 60 IN A 192.0.2.1", 0, nullptr, nullptr) == LDNS_STATUS_OK);
  ldns_pkt_push_rr(asked, LDNS_SECTION_ANSWER, a);
  uint8_t* wire = nullptr;
  size_t size = 0;
  BOOST_REQUIRE(ldns_pkt2wire(&wire, asked, &size) == LDNS_STATUS_OK);
  ldns_pkt_free(asked);
  // A stranger's answer with the same id is ignored; the upstream's is relayed.
  udp::socket stranger(io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  stranger.send_to(net::buffer(wire, size), udp::endpoint(net::ip::make_address("127.0.0.1"), from.port()));
  upstream.send_to(net::buffer(wire, size), from);
  std::free(wire);
  client.join();
  reply r(answered);
  BOOST_TEST(ldns_pkt_id(r.p) == 321);
  BOOST_TEST(r.first_answer() == "192.0.2.1");
  BOOST_TEST(server.stats().forwarded == 1u);
  // The upstream stays silent: SERVFAIL after the timeout.
  reply silent(ask_udp(server.port(), query("example.org.", LDNS_RR_TYPE_A, 322)));
  BOOST_TEST(ldns_pkt_get_rcode(silent.p) == LDNS_RCODE_SERVFAIL);
  BOOST_TEST(ldns_pkt_id(silent.p) == 322);
}

BOOST_AUTO_TEST_CASE(without_upstreams_other_names_fail_and_garbage_is_refused) {
  dns_server server(on_loopback(), {});
  reply none(ask_udp(server.port(), query("example.com.", LDNS_RR_TYPE_A, 9)));
  BOOST_TEST(ldns_pkt_get_rcode(none.p) == LDNS_RCODE_SERVFAIL);
  std::string garbage("\x42\x43\x01\x00\x00\x05\x00\x00\x00\x00\x00\x00\xff\xff", 14);
  reply formerr(ask_udp(server.port(), garbage));
  BOOST_TEST(ldns_pkt_get_rcode(formerr.p) == LDNS_RCODE_FORMERR);
  // Too short to answer: dropped, and the server goes on.
  BOOST_TEST(ask_udp(server.port(), "xy", 300).empty());
  BOOST_TEST(server.stats().refused == 1u);
  reply after(ask_udp(server.port(), query("cluster.local.", LDNS_RR_TYPE_SOA, 10)));
  BOOST_TEST(ldns_pkt_ancount(after.p) == 1);
}

BOOST_AUTO_TEST_CASE(resolv_conf_nameservers_are_read_in_order) {
  BOOST_TEST(resolv_conf_nameservers("# c\nsearch x\nnameserver 10.0.0.2\nnameserver  1.1.1.1 \n"
                                     "nameserver ::1\nnameserver bogus\noptions ndots:5\n") ==
             (std::vector<std::string>{"10.0.0.2", "1.1.1.1"}));
  BOOST_TEST(resolv_conf_nameservers("").empty());
}

BOOST_AUTO_TEST_CASE(a_port_in_use_is_a_clear_error) {
  dns_server first(on_loopback(), {});
  auto settings = on_loopback();
  settings.port = first.port();
  BOOST_CHECK_THROW(dns_server second(settings, {}), std::runtime_error);
}
