// Tests dns/dns_message.cpp: queries read from the wire, answers written as a resolver reads
// them (both with ldns), truncation to the transport's size, and the refusals of bad queries.
#include <boost/test/unit_test.hpp>

#include <ldns/ldns.h>

#include <cstdlib>

#include "dns/dns_message.hpp"

using namespace capstan;
using namespace capstan::dns;

namespace {

// A query as a stub resolver sends it.
std::string query(const char* name, ldns_rr_type type, uint16_t id, uint16_t edns_size = 0,
                  ldns_rr_class qclass = LDNS_RR_CLASS_IN) {
  ldns_pkt* p = nullptr;
  BOOST_REQUIRE(ldns_pkt_query_new_frm_str(&p, name, type, qclass, LDNS_RD) == LDNS_STATUS_OK);
  ldns_pkt_set_id(p, id);
  if (edns_size)
    ldns_pkt_set_edns_udp_size(p, edns_size);
  uint8_t* wire = nullptr;
  size_t size = 0;
  BOOST_REQUIRE(ldns_pkt2wire(&wire, p, &size) == LDNS_STATUS_OK);
  std::string out(reinterpret_cast<char*>(wire), size);
  std::free(wire);
  ldns_pkt_free(p);
  return out;
}

query_reading read(const std::string& wire) {
  return read_query(reinterpret_cast<const uint8_t*>(wire.data()), wire.size());
}

struct parsed {
  ldns_pkt* p = nullptr;
  explicit parsed(const std::string& wire) {
    BOOST_REQUIRE(ldns_wire2pkt(&p, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) ==
                  LDNS_STATUS_OK);
  }
  ~parsed() { ldns_pkt_free(p); }
  std::string rdata(std::size_t answer, std::size_t field = 0) const {
    char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), answer), field));
    std::string out = text ? text : "";
    std::free(text);
    return out;
  }
};

cluster_zone zone(int headless_endpoints = 0) {
  messages::service web;
  web.metadata.namespace_ = "default";
  web.metadata.name = "web";
  web.spec.cluster_ip = "10.254.0.21";
  web.spec.ports = {{"http", "TCP", 80, {}, 0}};
  messages::service many = web;
  many.metadata.name = "many";
  many.spec.cluster_ip = "None";
  messages::endpoints e;
  e.metadata.namespace_ = "default";
  e.metadata.name = "many";
  e.subsets.resize(1);
  for (int i = 0; i < headless_endpoints; ++i) {
    messages::endpoint_address a;
    a.ip = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 2);
    e.subsets[0].addresses.push_back(a);
  }
  return cluster_zone({}, {web, many}, {e});
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_query_is_read_and_answered_as_a_resolver_expects) {
  auto reading = read(query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, 0x1234));
  auto* q = std::get_if<dns_question>(&reading);
  BOOST_REQUIRE(q);
  BOOST_TEST(q->id == 0x1234);
  BOOST_TEST(q->name == "web.default.svc.cluster.local.");
  BOOST_TEST(q->type == LDNS_RR_TYPE_A);
  BOOST_TEST(q->recursion_desired);
  BOOST_TEST(!q->edns);
  BOOST_TEST(q->udp_size == 512);
  const auto z = zone();
  parsed answer(write_answer(*q, z.answer(q->name, q->type), q->udp_size));
  BOOST_TEST(ldns_pkt_id(answer.p) == 0x1234);
  BOOST_TEST(ldns_pkt_qr(answer.p));
  BOOST_TEST(ldns_pkt_aa(answer.p));
  BOOST_TEST(ldns_pkt_get_rcode(answer.p) == LDNS_RCODE_NOERROR);
  BOOST_TEST(ldns_pkt_qdcount(answer.p) == 1);
  BOOST_REQUIRE(ldns_pkt_ancount(answer.p) == 1);
  BOOST_TEST(answer.rdata(0) == "10.254.0.21");
}

BOOST_AUTO_TEST_CASE(srv_nxdomain_and_edns_answers) {
  const auto z = zone();
  auto reading = read(query("_http._tcp.web.default.svc.cluster.local.", LDNS_RR_TYPE_SRV, 7, 4096));
  auto* q = std::get_if<dns_question>(&reading);
  BOOST_REQUIRE(q);
  BOOST_TEST(q->edns);
  BOOST_TEST(q->udp_size == 4096);
  parsed srv(write_answer(*q, z.answer(q->name, q->type), q->udp_size));
  BOOST_REQUIRE(ldns_pkt_ancount(srv.p) == 1);
  BOOST_TEST(srv.rdata(0, 2) == "80");
  BOOST_TEST(srv.rdata(0, 3) == "web.default.svc.cluster.local.");
  BOOST_TEST(ldns_pkt_edns(srv.p));
  auto missing = read(query("nothing.default.svc.cluster.local.", LDNS_RR_TYPE_A, 8));
  q = std::get_if<dns_question>(&missing);
  BOOST_REQUIRE(q);
  parsed nx(write_answer(*q, z.answer(q->name, q->type), q->udp_size));
  BOOST_TEST(ldns_pkt_get_rcode(nx.p) == LDNS_RCODE_NXDOMAIN);
  BOOST_TEST(ldns_pkt_nscount(nx.p) == 1);  // the SOA
}

BOOST_AUTO_TEST_CASE(an_answer_too_large_for_the_transport_is_truncated) {
  const auto z = zone(200);
  auto reading = read(query("many.default.svc.cluster.local.", LDNS_RR_TYPE_A, 9));
  auto* q = std::get_if<dns_question>(&reading);
  BOOST_REQUIRE(q);
  auto udp = write_answer(*q, z.answer(q->name, q->type), q->udp_size);
  BOOST_TEST(udp.size() <= 512u);
  parsed truncated(udp);
  BOOST_TEST(ldns_pkt_tc(truncated.p));
  BOOST_TEST(ldns_pkt_ancount(truncated.p) == 0);
  parsed tcp(write_answer(*q, z.answer(q->name, q->type), 65535));
  BOOST_TEST(!ldns_pkt_tc(tcp.p));
  BOOST_TEST(ldns_pkt_ancount(tcp.p) == 200);
}

BOOST_AUTO_TEST_CASE(bad_queries_are_refused_or_dropped) {
  // Too short for an id, or a response: dropped.
  BOOST_TEST(std::holds_alternative<drop_message>(read("abc")));
  auto response = query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, 1);
  response[2] = static_cast<char>(response[2] | 0x80);
  BOOST_TEST(std::holds_alternative<drop_message>(read(response)));
  // Garbage with an id: FORMERR with that id.
  std::string garbage("\x42\x43\x01\x00\x00\x05\x00\x00\x00\x00\x00\x00\xff\xff", 14);
  auto formerr = read(garbage);
  auto* reply = std::get_if<std::string>(&formerr);
  BOOST_REQUIRE(reply);
  parsed bad(*reply);
  BOOST_TEST(ldns_pkt_id(bad.p) == 0x4243);
  BOOST_TEST(ldns_pkt_get_rcode(bad.p) == LDNS_RCODE_FORMERR);
  // Another opcode: NOTIMP.
  auto status = query("web.default.svc.cluster.local.", LDNS_RR_TYPE_A, 2);
  status[2] = static_cast<char>((status[2] & 0x87) | (2 << 3));
  auto notimp = read(status);
  reply = std::get_if<std::string>(&notimp);
  BOOST_REQUIRE(reply);
  BOOST_TEST(ldns_pkt_get_rcode(parsed(*reply).p) == LDNS_RCODE_NOTIMPL);
  // Chaos class: REFUSED.
  auto chaos = read(query("version.bind.", LDNS_RR_TYPE_TXT, 3, 0, LDNS_RR_CLASS_CH));
  reply = std::get_if<std::string>(&chaos);
  BOOST_REQUIRE(reply);
  BOOST_TEST(ldns_pkt_get_rcode(parsed(*reply).p) == LDNS_RCODE_REFUSED);
}

BOOST_AUTO_TEST_CASE(a_failure_keeps_the_question_and_a_forwarded_answer_takes_the_clients_id) {
  auto reading = read(query("example.com.", LDNS_RR_TYPE_A, 77));
  auto* q = std::get_if<dns_question>(&reading);
  BOOST_REQUIRE(q);
  parsed failed(write_failure(*q, response_code::server_failure));
  BOOST_TEST(ldns_pkt_get_rcode(failed.p) == LDNS_RCODE_SERVFAIL);
  BOOST_TEST(ldns_pkt_id(failed.p) == 77);
  BOOST_TEST(ldns_pkt_qdcount(failed.p) == 1);
  std::string upstream = query("example.com.", LDNS_RR_TYPE_A, 9999);
  BOOST_TEST(set_message_id(upstream, 77));
  BOOST_TEST(std::get<dns_question>(read(upstream)).id == 77);
  std::string short_message = "ab";
  BOOST_TEST(!set_message_id(short_message, 1));
}
