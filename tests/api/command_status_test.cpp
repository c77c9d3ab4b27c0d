// Tests api/command_status.cpp: a command the master refused, answered as kube-apiserver
// answers it -- the HTTP code and reason of each error code, the resource (or, for Invalid,
// the Kind) in details, and an Invalid message that lists its field errors the way
// k8s.io/apimachinery's NewInvalid does (one inline, several in brackets).
#include <boost/test/unit_test.hpp>

#include "api/command_status.hpp"
#include "messages/json_codec.hpp"

using namespace capstan;
using actors::command_reply;
using actors::error_code;
using api::reply_error;
using messages::json;
using messages::object_kind;

// Guards every error code's HTTP status and Status reason (kubectl prints the reason:
// `Error from server (AlreadyExists): ...`; clients retry on 409 Conflict, not on 422).
BOOST_AUTO_TEST_CASE(each_error_code_has_kube_apiservers_status_and_reason) {
  struct row {
    error_code code;
    int status;
    const char* reason;
  };
  const row table[] = {
      {error_code::bad_request, 400, "BadRequest"},
      {error_code::forbidden, 403, "Forbidden"},
      {error_code::not_found, 404, "NotFound"},
      {error_code::already_exists, 409, "AlreadyExists"},
      {error_code::conflict, 409, "Conflict"},
      {error_code::invalid, 422, "Invalid"},
      {error_code::internal, 500, "InternalError"},
  };
  for (const auto& t : table) {
    auto r = reply_error(command_reply::failure(t.code, "why"), object_kind::pod, "web");
    auto body = json::parse(r.body);
    BOOST_TEST_CONTEXT(t.reason) {
      BOOST_TEST(r.status == t.status);
      BOOST_TEST(body.at("code").get<int>() == t.status);
      BOOST_TEST(body.at("reason").get<std::string>() == t.reason);
      BOOST_TEST(body.at("message").get<std::string>() == "why");
    }
  }
}

// Guards the exact body of the commonest refusal (what `kubectl get`/`delete` of a missing
// object prints), with the resource name in details.
BOOST_AUTO_TEST_CASE(a_not_found_names_the_resource_in_details) {
  auto r = reply_error(
      command_reply::failure(error_code::not_found, "replicationcontrollers \"web\" not found"),
      object_kind::replication_controller, "web");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(r.body ==
             R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
             R"("message":"replicationcontrollers \"web\" not found","reason":"NotFound",)"
             R"("details":{"name":"web","kind":"replicationcontrollers"},"code":404})");
}

// Guards the Invalid wording for one field error: `The Service "web" is invalid: <error>`,
// with the Kind (not the resource) in details and the cause listed.
BOOST_AUTO_TEST_CASE(an_invalid_with_one_cause_names_it_inline_and_the_kind_in_details) {
  auto r = reply_error(
      command_reply::failure(
          error_code::invalid, "Service \"web\" is invalid",
          {messages::invalid("spec.ports[0].port", "0", "must be between 1 and 65535, inclusive")}),
      object_kind::service, "web");
  BOOST_TEST(r.status == 422);
  BOOST_TEST(r.body ==
             R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
             R"("message":"Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: )"
             R"(must be between 1 and 65535, inclusive","reason":"Invalid",)"
             R"("details":{"name":"web","kind":"Service","causes":[{"reason":"FieldValueInvalid",)"
             R"("message":"Invalid value: 0: must be between 1 and 65535, inclusive",)"
             R"("field":"spec.ports[0].port"}]},"code":422})");
}

// Guards the Invalid wording for several field errors: all of them, in order, in brackets
// and separated by ", " (NewInvalid's aggregate), each also a cause.
BOOST_AUTO_TEST_CASE(an_invalid_with_several_causes_lists_them_in_brackets) {
  auto r = reply_error(
      command_reply::failure(error_code::invalid, "Pod \"p\" is invalid",
                             {messages::required("spec.containers[0].image"),
                              messages::invalid("spec.restartPolicy", "\"Sometimes\"", "bad"),
                              messages::forbidden("spec.nodeName", "may not be set")}),
      object_kind::pod, "p");
  auto body = json::parse(r.body);
  BOOST_TEST(body.at("message").get<std::string>() ==
             "Pod \"p\" is invalid: [spec.containers[0].image: Required value, "
             "spec.restartPolicy: Invalid value: \"Sometimes\": bad, "
             "spec.nodeName: Forbidden: may not be set]");
  BOOST_TEST(body.at("details").at("kind").get<std::string>() == "Pod");
  BOOST_TEST(body.at("details").at("causes").size() == 3u);
}

// Guards against decorating messages that have no field errors, or that are not Invalid:
// the master's message goes out as it is (a Forbidden's causes still go to details).
BOOST_AUTO_TEST_CASE(only_an_invalid_with_causes_gets_them_in_its_message) {
  auto bare = reply_error(command_reply::failure(error_code::invalid, "Pod \"p\" is invalid"),
                          object_kind::pod, "p");
  auto bare_body = json::parse(bare.body);
  BOOST_TEST(bare_body.at("message").get<std::string>() == "Pod \"p\" is invalid");
  BOOST_TEST(bare_body.at("details").dump() == R"({"name":"p","kind":"Pod"})");
  auto forbidden = reply_error(
      command_reply::failure(error_code::forbidden, "pods \"p\" is forbidden: exceeded quota",
                             {messages::forbidden("spec", "exceeded quota")}),
      object_kind::pod, "p");
  auto body = json::parse(forbidden.body);
  BOOST_TEST(forbidden.status == 403);
  BOOST_TEST(body.at("message").get<std::string>() == "pods \"p\" is forbidden: exceeded quota");
  BOOST_TEST(body.at("details").at("kind").get<std::string>() == "pods");
  BOOST_TEST(body.at("details").at("causes").size() == 1u);
}

// Guards cluster-scoped objects: a node's Status names it with no namespace anywhere.
BOOST_AUTO_TEST_CASE(a_cluster_scoped_object_is_named_by_its_name_alone) {
  auto r = reply_error(
      command_reply::failure(error_code::already_exists, "nodes \"node1\" already exists"),
      object_kind::node, "node1");
  BOOST_TEST(r.status == 409);
  BOOST_TEST(json::parse(r.body).at("details").dump() == R"({"name":"node1","kind":"nodes"})");
}
