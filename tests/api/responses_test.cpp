// Tests api/responses.cpp: JSON bodies and Status errors with the exact text kube-apiserver
// sends (key order, `details`, field causes with Kubernetes' reason words), so that kubectl
// and client libraries read capstan's errors as they read the real server's.
#include <boost/test/unit_test.hpp>

#include "api/responses.hpp"

using namespace capstan;
using api::dump_json;
using api::json_response;
using api::status_error;
using messages::json;

namespace {

// The cause of `status_error` for one field error, as JSON.
json cause_of(const messages::field_error& e) {
  auto r = status_error(422, "Invalid", "x", "Pod", "p", {e});
  return json::parse(r.body).at("details").at("causes").at(0);
}

}  // namespace

// Guards against a bad byte in echoed user input (a name, a label) turning an answer into an
// exception and a dropped connection: it becomes U+FFFD and the rest of the text is kept.
BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_the_replacement_character) {
  json body = {{"message", std::string("bad \xff name")}};
  BOOST_TEST(dump_json(body) == "{\"message\":\"bad \xef\xbf\xbd name\"}");
}

// Guards the body's form: compact JSON (no spaces, kube-apiserver's encoding) with keys in the
// order they were set, and the given HTTP status.
BOOST_AUTO_TEST_CASE(a_json_response_is_compact_and_keeps_key_order) {
  json body = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"items", json::array()}};
  auto r = json_response(201, body);
  BOOST_TEST(r.status == 201);
  BOOST_TEST(r.content_type == "application/json");
  BOOST_TEST(r.body == R"({"kind":"PodList","apiVersion":"v1","items":[]})");
}

// Guards the Status kubectl prints as `Error from server (NotFound): pods "web" not found`:
// every field, in kube-apiserver's order, name before kind in details.
BOOST_AUTO_TEST_CASE(a_status_error_is_worded_as_kube_apiserver_words_it) {
  auto r = status_error(404, "NotFound", "pods \"web\" not found", "pods", "web");
  BOOST_TEST(r.status == 404);
  BOOST_TEST(r.content_type == "application/json");
  BOOST_TEST(r.body == R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                       R"("message":"pods \"web\" not found","reason":"NotFound",)"
                       R"("details":{"name":"web","kind":"pods"},"code":404})");
}

// Guards against empty strings in details ("name":"") where kube-apiserver leaves the keys
// out (an error about no particular object, e.g. 401 or a malformed body).
BOOST_AUTO_TEST_CASE(details_leave_out_what_is_not_known) {
  auto r = status_error(401, "Unauthorized", "Unauthorized");
  BOOST_TEST(r.status == 401);
  BOOST_TEST(r.body == R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                       R"("message":"Unauthorized","reason":"Unauthorized","details":{},)"
                       R"("code":401})");
  auto kind_only = json::parse(status_error(400, "BadRequest", "m", "pods").body);
  BOOST_TEST(kind_only.at("details").dump() == R"({"kind":"pods"})");
}

// Guards the causes clients show under an Invalid error: one per field error, in order, each
// with Kubernetes' reason word (field.ErrorType), the error without its field, and the field.
BOOST_AUTO_TEST_CASE(causes_carry_kubernetes_reason_words_and_the_error_without_its_field) {
  using namespace messages;
  field_errors causes{invalid("spec.replicas", "-1", "must be greater than or equal to 0"),
                      required("spec.containers[0].image")};
  auto r = status_error(422, "Invalid", "m", "ReplicationController", "web", causes);
  BOOST_TEST(json::parse(r.body).at("details").dump() ==
             R"({"name":"web","kind":"ReplicationController","causes":[)"
             R"({"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater )"
             R"(than or equal to 0","field":"spec.replicas"},)"
             R"({"reason":"FieldValueRequired","message":"Required value",)"
             R"("field":"spec.containers[0].image"}]})");
}

// Guards each field.ErrorType word against a typo or a wrong mapping (a client switching on
// the reason would misread the error).
BOOST_AUTO_TEST_CASE(each_field_error_type_has_its_kubernetes_reason) {
  using namespace messages;
  struct row {
    field_error error;
    const char* reason;
    const char* message;
  };
  const row table[] = {
      {invalid("spec.a", "0", "must be positive"), "FieldValueInvalid",
       "Invalid value: 0: must be positive"},
      {required("spec.b"), "FieldValueRequired", "Required value"},
      {duplicate("spec.c", "80"), "FieldValueDuplicate", "Duplicate value: 80"},
      {not_supported("spec.d", "\"Maybe\"", {"Always", "Never"}), "FieldValueNotSupported",
       "Unsupported value: \"Maybe\": supported values: \"Always\", \"Never\""},
      {forbidden("spec.e", "may not be set"), "FieldValueForbidden", "Forbidden: may not be set"},
      {not_found("spec.f", "\"ghost\""), "FieldValueNotFound", "Not found: \"ghost\""},
      // Regression: was FieldValueInvalid (e.g. metadata.annotations over 256 KiB).
      {too_long("metadata.annotations", 262144), "FieldValueTooLong",
       "Too long: may not be more than 262144 bytes"},
  };
  for (const auto& t : table) {
    auto c = cause_of(t.error);
    BOOST_TEST_CONTEXT(t.error.to_string()) {
      BOOST_TEST(c.at("reason").get<std::string>() == t.reason);
      BOOST_TEST(c.at("message").get<std::string>() == t.message);
      BOOST_TEST(c.at("field").get<std::string>() == t.error.field);
    }
  }
}

// Guards against user text breaking the JSON: quotes, backslashes and newlines in a message
// are escaped, and the body parses back to the same message.
BOOST_AUTO_TEST_CASE(messages_with_quotes_and_newlines_stay_valid_json) {
  std::string message = "line \"one\"\nline \\two\\";
  auto body = json::parse(status_error(400, "BadRequest", message).body);
  BOOST_TEST(body.at("message").get<std::string>() == message);
  BOOST_TEST(body.at("code").get<int>() == 400);
}
