// Tests dns/cluster_zone.cpp: Kubernetes' DNS specification's records from services and
// endpoints — ClusterIP and headless A records, SRV for named ports, PTR, pod names, NXDOMAIN
// and empty answers with the SOA, and names left to the forwarder.
#include <boost/test/unit_test.hpp>

#include "dns/cluster_zone.hpp"

using namespace capstan;
using namespace capstan::dns;

namespace {

messages::service service(std::string ns, std::string name, std::string cluster_ip,
                          std::vector<messages::service_port> ports = {}) {
  messages::service s;
  s.metadata.namespace_ = std::move(ns);
  s.metadata.name = std::move(name);
  s.spec.cluster_ip = std::move(cluster_ip);
  s.spec.ports = std::move(ports);
  return s;
}

messages::service_port port(std::string name, int32_t number, std::string protocol = "TCP") {
  messages::service_port p;
  p.name = std::move(name);
  p.port = number;
  p.protocol = std::move(protocol);
  return p;
}

messages::endpoint_address address(std::string ip, std::string hostname = "") {
  messages::endpoint_address a;
  a.ip = std::move(ip);
  a.hostname = std::move(hostname);
  return a;
}

// default/redis-master 10.254.0.20 (port redis 6379), default/web 10.254.0.21 (http 80, dns
// 53/UDP), team/db headless with two ready endpoints (db-0 named, 10.1.1.6 not) and one not
// ready, port pg 5432.
cluster_zone zone() {
  std::vector<messages::service> services = {
      service("default", "redis-master", "10.254.0.20", {port("redis", 6379)}),
      service("default", "web", "10.254.0.21", {port("http", 80), port("dns", 53, "UDP"), port("", 8080)}),
      service("team", "db", "None", {port("pg", 5432)}),
      service("team", "pending", ""),
  };
  messages::endpoints db;
  db.metadata.namespace_ = "team";
  db.metadata.name = "db";
  messages::endpoint_subset subset;
  subset.addresses = {address("10.1.0.5", "db-0"), address("10.1.1.6")};
  subset.not_ready_addresses = {address("10.1.0.9", "db-2")};
  subset.ports = {{"pg", 5432, "TCP"}};
  db.subsets = {subset};
  return cluster_zone({}, services, {db});
}

constexpr uint16_t A = static_cast<uint16_t>(record_type::a);
constexpr uint16_t AAAA = static_cast<uint16_t>(record_type::aaaa);
constexpr uint16_t SRV = static_cast<uint16_t>(record_type::srv);
constexpr uint16_t PTR = static_cast<uint16_t>(record_type::ptr);
constexpr uint16_t SOA = static_cast<uint16_t>(record_type::soa);
constexpr uint16_t TXT = static_cast<uint16_t>(record_type::txt);

std::vector<std::string> addresses(const zone_answer& a) {
  std::vector<std::string> out;
  for (const auto& r : a.answers)
    out.push_back(r.address);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_service_name_is_its_cluster_ip_in_any_case_with_or_without_the_dot) {
  const auto z = zone();
  for (const char* name : {"redis-master.default.svc.cluster.local",
                           "redis-master.default.svc.cluster.local.",
                           "Redis-Master.DEFAULT.svc.Cluster.Local"}) {
    auto a = z.answer(name, A);
    BOOST_TEST(a.in_zone, name);
    BOOST_TEST(static_cast<int>(a.code) == 0, name);
    BOOST_TEST(addresses(a) == std::vector<std::string>{"10.254.0.20"}, name);
    BOOST_TEST(a.answers.at(0).ttl == 5u);
  }
}

BOOST_AUTO_TEST_CASE(a_headless_service_is_its_ready_endpoints) {
  const auto z = zone();
  auto a = z.answer("db.team.svc.cluster.local", A);
  BOOST_TEST(addresses(a) == (std::vector<std::string>{"10.1.0.5", "10.1.1.6"}));
  BOOST_TEST(addresses(z.answer("db-0.db.team.svc.cluster.local", A)) ==
             std::vector<std::string>{"10.1.0.5"});
  BOOST_TEST(addresses(z.answer("10-1-1-6.db.team.svc.cluster.local", A)) ==
             std::vector<std::string>{"10.1.1.6"});
  // Not ready: no record.
  BOOST_TEST(static_cast<int>(z.answer("db-2.db.team.svc.cluster.local", A).code) == 3);
  // A service without an address yet exists, with no answer.
  auto pending = z.answer("pending.team.svc.cluster.local", A);
  BOOST_TEST(static_cast<int>(pending.code) == 0);
  BOOST_TEST(pending.answers.empty());
}

BOOST_AUTO_TEST_CASE(named_ports_have_srv_records) {
  const auto z = zone();
  auto http = z.answer("_http._tcp.web.default.svc.cluster.local", SRV);
  BOOST_REQUIRE(http.answers.size() == 1u);
  BOOST_TEST(http.answers[0].port == 80);
  BOOST_TEST(http.answers[0].priority == 0);
  BOOST_TEST(http.answers[0].weight == 100);
  BOOST_TEST(http.answers[0].target == "web.default.svc.cluster.local");
  BOOST_TEST(z.answer("_dns._udp.web.default.svc.cluster.local", SRV).answers.at(0).port == 53);
  BOOST_TEST(static_cast<int>(z.answer("_dns._tcp.web.default.svc.cluster.local", SRV).code) == 3);
  // Headless: one per ready endpoint, their A records as additional records.
  auto pg = z.answer("_pg._tcp.db.team.svc.cluster.local", SRV);
  BOOST_REQUIRE(pg.answers.size() == 2u);
  std::vector<std::string> targets = {pg.answers[0].target, pg.answers[1].target};
  std::sort(targets.begin(), targets.end());
  BOOST_TEST(targets == (std::vector<std::string>{"10-1-1-6.db.team.svc.cluster.local",
                                                  "db-0.db.team.svc.cluster.local"}));
  BOOST_TEST(pg.additional.size() == 2u);
  BOOST_TEST(pg.answers[0].weight == 50);
  // The parent of an SRV name exists, empty.
  auto tcp = z.answer("_tcp.web.default.svc.cluster.local", SRV);
  BOOST_TEST(static_cast<int>(tcp.code) == 0);
  BOOST_TEST(tcp.answers.empty());
}

BOOST_AUTO_TEST_CASE(cluster_ips_and_headless_endpoints_have_ptr_records) {
  const auto z = zone();
  auto ptr = z.answer("20.0.254.10.in-addr.arpa", PTR);
  BOOST_TEST(ptr.in_zone);
  BOOST_REQUIRE(ptr.answers.size() == 1u);
  BOOST_TEST(ptr.answers[0].target == "redis-master.default.svc.cluster.local");
  BOOST_TEST(z.answer("5.0.1.10.in-addr.arpa.", PTR).answers.at(0).target ==
             "db-0.db.team.svc.cluster.local");
  // An address the cluster does not know is the forwarder's.
  BOOST_TEST(!z.answer("1.0.0.127.in-addr.arpa", PTR).in_zone);
  BOOST_TEST(reverse_name("10.1.2.3") == "3.2.1.10.in-addr.arpa");
  BOOST_TEST(reverse_name("10.1.2") == "");
}

BOOST_AUTO_TEST_CASE(pod_names_are_their_dashed_addresses) {
  const auto z = zone();
  BOOST_TEST(addresses(z.answer("10-1-0-7.default.pod.cluster.local", A)) ==
             std::vector<std::string>{"10.1.0.7"});
  BOOST_TEST(static_cast<int>(z.answer("10-1-0-300.default.pod.cluster.local", A).code) == 3);
  BOOST_TEST(static_cast<int>(z.answer("10-1-0.default.pod.cluster.local", A).code) == 3);
  BOOST_TEST(static_cast<int>(z.answer("a.10-1-0-7.default.pod.cluster.local", A).code) == 3);
  auto v6 = z.answer("10-1-0-7.default.pod.cluster.local", AAAA);
  BOOST_TEST(static_cast<int>(v6.code) == 0);
  BOOST_TEST(v6.answers.empty());
}

BOOST_AUTO_TEST_CASE(missing_names_are_nxdomain_and_empty_ones_nodata_with_the_soa) {
  const auto z = zone();
  for (const char* name : {"nothing.default.svc.cluster.local", "redis-master.other.svc.cluster.local",
                           "x.cluster.local", "redis-master.default.svc.cluster.local.default.svc.cluster.local"}) {
    auto a = z.answer(name, A);
    BOOST_TEST(a.in_zone, name);
    BOOST_TEST(static_cast<int>(a.code) == 3, name);
    BOOST_REQUIRE(a.authority.size() == 1u);
    BOOST_TEST(static_cast<int>(a.authority[0].type) == SOA);
  }
  for (const char* name : {"default.svc.cluster.local", "svc.cluster.local", "cluster.local"}) {
    auto a = z.answer(name, A);
    BOOST_TEST(static_cast<int>(a.code) == 0, name);
    BOOST_TEST(a.answers.empty(), name);
    BOOST_TEST(a.authority.size() == 1u, name);
  }
  auto v6 = z.answer("web.default.svc.cluster.local", AAAA);
  BOOST_TEST(static_cast<int>(v6.code) == 0);
  BOOST_TEST(v6.answers.empty());
  BOOST_TEST(z.answer("cluster.local", SOA).answers.size() == 1u);
  BOOST_TEST(z.answer("dns-version.cluster.local", TXT).answers.at(0).target == "1.1.0");
  // Any other type number: nothing of it.
  BOOST_TEST(z.answer("web.default.svc.cluster.local", 999).answers.empty());
}

BOOST_AUTO_TEST_CASE(other_names_are_forwarded_and_the_domain_is_settable) {
  const auto z = zone();
  for (const char* name : {"example.com", "cluster.local.example.com", "local", "", "."})
    BOOST_TEST(!z.answer(name, A).in_zone, name);
  cluster_zone other({"Corp.Example.", 30}, {service("default", "web", "10.254.0.21")}, {});
  auto a = other.answer("web.default.svc.corp.example", A);
  BOOST_TEST(addresses(a) == std::vector<std::string>{"10.254.0.21"});
  BOOST_TEST(a.answers.at(0).ttl == 30u);
  BOOST_TEST(!other.answer("web.default.svc.cluster.local", A).in_zone);
}

// What a pod's resolver does with `search NS.svc.D svc.D D` and ndots:5: a short name is tried
// with each search domain in turn; the first is the service, and the rest answer at once.
BOOST_AUTO_TEST_CASE(a_short_name_resolves_through_the_search_list) {
  const auto z = zone();
  const std::vector<std::string> search = {"default.svc.cluster.local", "svc.cluster.local",
                                           "cluster.local"};
  auto resolve = [&](const std::string& short_name) {
    for (const auto& domain : search) {
      auto a = z.answer(short_name + "." + domain, A);
      if (!a.answers.empty())
        return addresses(a);
      BOOST_TEST(a.in_zone);
    }
    return std::vector<std::string>{};
  };
  BOOST_TEST(resolve("redis-master") == std::vector<std::string>{"10.254.0.20"});
  BOOST_TEST(resolve("db.team") == (std::vector<std::string>{"10.1.0.5", "10.1.1.6"}));
  BOOST_TEST(resolve("nothing").empty());
}
