// Tests actors/nodes/service_env.cpp: the seven variable forms of seed 002, per service.
#include <boost/test/unit_test.hpp>

#include <map>

#include "actors/nodes/service_env.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;

namespace {

messages::service svc(const std::string& name, const std::string& ip,
                      std::vector<messages::service_port> ports) {
  messages::service s;
  s.metadata.name = name;
  s.spec.cluster_ip = ip;
  s.spec.ports = std::move(ports);
  return s;
}

std::map<std::string, std::string> as_map(const std::vector<messages::env_var>& env) {
  std::map<std::string, std::string> m;
  for (const auto& e : env)
    m[e.name] = e.value;
  return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_seed_002_variables_of_redis_master) {
  auto env = as_map(service_environment({svc(
      "redis-master", "10.254.0.7", {{"", "TCP", 6379, messages::int_or_string::of(6379), 0}})}));
  BOOST_TEST(env.size() == 7u);
  BOOST_TEST(env["REDIS_MASTER_SERVICE_HOST"] == "10.254.0.7");
  BOOST_TEST(env["REDIS_MASTER_SERVICE_PORT"] == "6379");
  BOOST_TEST(env["REDIS_MASTER_PORT"] == "tcp://10.254.0.7:6379");
  BOOST_TEST(env["REDIS_MASTER_PORT_6379_TCP"] == "tcp://10.254.0.7:6379");
  BOOST_TEST(env["REDIS_MASTER_PORT_6379_TCP_PROTO"] == "tcp");
  BOOST_TEST(env["REDIS_MASTER_PORT_6379_TCP_PORT"] == "6379");
  BOOST_TEST(env["REDIS_MASTER_PORT_6379_TCP_ADDR"] == "10.254.0.7");
}

BOOST_AUTO_TEST_CASE(named_ports_headless_services_and_precedence_of_the_pods_own_env) {
  auto multi = svc("my-service", "10.254.0.9",
                   {{"http", "TCP", 80, messages::int_or_string::of(8080), 0},
                    {"dns", "UDP", 53, messages::int_or_string::of(53), 0}});
  auto headless = svc("nohost", "None", {{"", "TCP", 1, messages::int_or_string::of(1), 0}});
  auto env = as_map(service_environment({multi, headless}));
  BOOST_TEST(env["MY_SERVICE_SERVICE_PORT"] == "80");
  BOOST_TEST(env["MY_SERVICE_SERVICE_PORT_HTTP"] == "80");
  BOOST_TEST(env["MY_SERVICE_SERVICE_PORT_DNS"] == "53");
  BOOST_TEST(env["MY_SERVICE_PORT_53_UDP"] == "udp://10.254.0.9:53");
  BOOST_TEST(!env.count("NOHOST_SERVICE_HOST"));

  auto p = test::small_pod("web");
  p.spec.containers[0].env = {{"MY_SERVICE_SERVICE_HOST", "mine", {}}};
  auto with = with_service_environment(p, {multi});
  const auto& vars = with.spec.containers[0].env;
  BOOST_TEST(vars.back().name == "MY_SERVICE_SERVICE_HOST");  // the pod's own come last
  BOOST_TEST(vars.back().value == "mine");
}
