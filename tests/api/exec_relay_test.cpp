// Tests what the exec relay (api/exec_relay.cpp) and handler (api/pod_exec.cpp) say on their
// own: the error channel's Status for an exit code as kubectl reads it, and the subprotocol
// chosen from what a client offers.
#include <boost/test/unit_test.hpp>

#include "api/exec_relay.hpp"
#include "api/pod_exec.hpp"
#include "messages/json_codec.hpp"

using namespace capstan;
using namespace capstan::api;

BOOST_AUTO_TEST_CASE(exit_zero_is_success) {
  auto status = messages::json::parse(exit_status_json(0));
  BOOST_TEST(status["status"] == "Success");
  BOOST_TEST(!status.contains("details"));
}

BOOST_AUTO_TEST_CASE(another_exit_code_is_a_cause_kubectl_turns_into_its_own) {
  auto status = messages::json::parse(exit_status_json(3));
  BOOST_TEST(status["status"] == "Failure");
  BOOST_TEST(status["reason"] == "NonZeroExitCode");
  BOOST_TEST(status["details"]["causes"][0]["reason"] == "ExitCode");
  BOOST_TEST(status["details"]["causes"][0]["message"] == "3");
}

BOOST_AUTO_TEST_CASE(a_failure_of_the_cluster_is_an_internal_error) {
  auto status = messages::json::parse(failure_status_json("node n1 went away"));
  BOOST_TEST(status["status"] == "Failure");
  BOOST_TEST(status["reason"] == "InternalError");
  BOOST_TEST(status["message"] == "node n1 went away");
}

BOOST_AUTO_TEST_CASE(v5_is_preferred_then_v4_and_nothing_else_is_spoken) {
  BOOST_TEST(exec_protocol({"v4.channel.k8s.io", "v5.channel.k8s.io"}) == "v5.channel.k8s.io");
  BOOST_TEST(exec_protocol({"channel.k8s.io", "v4.channel.k8s.io"}) == "v4.channel.k8s.io");
  BOOST_TEST(exec_protocol({"v3.channel.k8s.io", "base64.channel.k8s.io"}) == "");
  BOOST_TEST(exec_protocol({}) == "");
}
