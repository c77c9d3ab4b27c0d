// Tests api/refused_upgrades.cpp: a refusal is handed out once, to the same user, path and
// query only; the oldest go beyond the capacity; old ones expire.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "api/refused_upgrades.hpp"
#include "api/responses.hpp"

using namespace capstan::api;

namespace {

http_request exec_request(const std::string& user, const std::string& command) {
  http_request r;
  r.user.name = user;
  r.path = "/api/v1/namespaces/default/pods/web/exec";
  r.query_all = {{"command", command}, {"stdout", "true"}};
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_refusal_is_handed_out_once_to_the_same_request) {
  refused_upgrades kept;
  auto key = refused_upgrades::key_of(exec_request("alice", "ls"));
  kept.remember(key, status_error(429, "TooManyRequests", "node1 runs 32 commands already"));
  BOOST_TEST(!kept.take(refused_upgrades::key_of(exec_request("bob", "ls"))));
  BOOST_TEST(!kept.take(refused_upgrades::key_of(exec_request("alice", "id"))));
  auto again = kept.take(key);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->status == 429);
  BOOST_TEST(!kept.take(key));
}

BOOST_AUTO_TEST_CASE(the_oldest_go_beyond_the_capacity) {
  refused_upgrades kept(2);
  for (const char* command : {"a", "b", "c"})
    kept.remember(refused_upgrades::key_of(exec_request("alice", command)),
                  status_error(503, "ServiceUnavailable", command));
  BOOST_TEST(!kept.take(refused_upgrades::key_of(exec_request("alice", "a"))));
  BOOST_TEST(kept.take(refused_upgrades::key_of(exec_request("alice", "c"))).has_value());
}

BOOST_AUTO_TEST_CASE(old_refusals_expire) {
  refused_upgrades kept(8, std::chrono::seconds(0));
  auto key = refused_upgrades::key_of(exec_request("alice", "ls"));
  kept.remember(key, status_error(503, "ServiceUnavailable", "node away"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  BOOST_TEST(!kept.take(key));
}
