// Tests api/object_body.cpp: a create's or update's body decoded for its route with
// kube-apiserver's fieldValidation (Strict, Warn, Ignore) and its refusals, and DeleteOptions.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "api/object_body.hpp"
#include "api/routes.hpp"
#include "messages/json_codec.hpp"

using namespace capstan;
using namespace capstan::api;
using messages::json;

namespace {

http_request post(const std::string& body, const std::string& validation = "",
                  const std::string& content_type = "application/json") {
  http_request req;
  req.method = "POST";
  req.path = "/api/v1/namespaces/shop/pods";
  req.content_type = content_type;
  req.body = body;
  if (!validation.empty())
    req.query["fieldValidation"] = validation;
  return req;
}

const route pods_in_shop = parse_route("/api/v1/namespaces/shop/pods");

const std::string pod_body = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},)"
                             R"("spec":{"containers":[{"name":"c","image":"nginx"}]}})";
const std::string pod_with_unknown =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},)"
    R"("spec":{"containers":[{"name":"c","image":"nginx"}],"bogus":1}})";

// The Status message of a 400 answer.
std::string refusal(const std::variant<messages::any_object, http_response>& out) {
  BOOST_REQUIRE(std::holds_alternative<http_response>(out));
  const auto& r = std::get<http_response>(out);
  BOOST_TEST(r.status == 400);
  auto body = json::parse(r.body);
  BOOST_TEST(body.at("reason") == "BadRequest");
  return body.at("message").get<std::string>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_body_decodes_into_the_routes_namespace) {
  BOOST_REQUIRE(pods_in_shop.ok);
  std::vector<std::string> warnings;
  auto out = decode_object(post(pod_body, "Strict"), pods_in_shop, warnings);
  BOOST_REQUIRE(std::holds_alternative<messages::any_object>(out));
  const auto& pod = std::get<messages::pod>(std::get<messages::any_object>(out));
  BOOST_TEST(pod.metadata.name == "web");
  BOOST_TEST(pod.metadata.namespace_ == "shop");
  BOOST_TEST(pod.spec.containers.at(0).image == "nginx");
  BOOST_TEST(warnings.empty());
}

BOOST_AUTO_TEST_CASE(kind_and_api_version_default_to_the_routes_and_yaml_is_read) {
  std::vector<std::string> warnings;
  auto out = decode_object(post("metadata:\n  name: web\nspec:\n  containers:\n"
                                "  - name: c\n    image: nginx\n",
                                "", "application/yaml"),
                           pods_in_shop, warnings);
  BOOST_REQUIRE(std::holds_alternative<messages::any_object>(out));
  BOOST_TEST(messages::kind_of(std::get<messages::any_object>(out)) == messages::object_kind::pod);
}

BOOST_AUTO_TEST_CASE(unknown_fields_follow_field_validation) {
  std::vector<std::string> warnings;
  std::string strict =
      refusal(decode_object(post(pod_with_unknown, "Strict"), pods_in_shop, warnings));
  BOOST_TEST(strict.rfind("Pod in version \"v1\" cannot be handled as a Pod: strict decoding "
                          "error: unknown field \"",
                          0) == 0u,
             strict);
  BOOST_TEST(strict.find("bogus") != std::string::npos, strict);

  warnings.clear();  // Warn is the default
  auto warned = decode_object(post(pod_with_unknown), pods_in_shop, warnings);
  BOOST_TEST(std::holds_alternative<messages::any_object>(warned));
  BOOST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].find("unknown field \"") == 0u);
  BOOST_TEST(warnings[0].find("bogus") != std::string::npos);

  warnings.clear();
  auto ignored = decode_object(post(pod_with_unknown, "Ignore"), pods_in_shop, warnings);
  BOOST_TEST(std::holds_alternative<messages::any_object>(ignored));
  BOOST_TEST(warnings.empty());

  BOOST_TEST(refusal(decode_object(post(pod_body, "strict"), pods_in_shop, warnings)) ==
             R"(fieldValidation must be one of Strict, Warn or Ignore, not "strict")");
}

BOOST_AUTO_TEST_CASE(bodies_that_do_not_fit_the_route_are_refused) {
  std::vector<std::string> warnings;
  std::string other_ns =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web",)"
      R"("namespace":"default"},"spec":{"containers":[{"name":"c","image":"x"}]}})";
  BOOST_TEST(refusal(decode_object(post(other_ns), pods_in_shop, warnings)) ==
             "the namespace of the provided object does not match the namespace sent on the "
             "request");
  std::string service = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},)"
                        R"("spec":{"ports":[{"port":80}]}})";
  BOOST_TEST(refusal(decode_object(post(service), pods_in_shop, warnings)) ==
             "the kind of the object (Service) does not match the resource (pods)");
  std::string malformed = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},)"
                          R"("spec":{"containers":"nginx"}})";
  BOOST_TEST(refusal(decode_object(post(malformed), pods_in_shop, warnings))
                 .rfind("Pod in version \"v1\" cannot be handled as a Pod: ", 0) == 0u);
  BOOST_TEST(std::holds_alternative<http_response>(
      decode_object(post("{not json"), pods_in_shop, warnings)));
}

BOOST_AUTO_TEST_CASE(delete_options_give_preconditions_and_dry_run) {
  actors::delete_op op;
  bool dry_run = false;
  auto bad = read_delete_options(
      R"({"kind":"DeleteOptions","preconditions":{"uid":"u-1","resourceVersion":"7"},"dryRun":["All"]})",
      op, dry_run);
  BOOST_TEST(!bad);
  BOOST_TEST(op.uid_precondition == "u-1");
  BOOST_TEST(op.resource_version_precondition == "7");
  BOOST_TEST(dry_run);

  actors::delete_op none;
  bool none_dry = false;
  BOOST_TEST(!read_delete_options("{}", none, none_dry));
  BOOST_TEST(none.uid_precondition.empty());
  BOOST_TEST(!none_dry);

  for (const std::string text :
       {R"([])", R"({"dryRun":"All"})", R"({"dryRun":["Some"]})", R"({"preconditions":)"}) {
    actors::delete_op o;
    bool d = false;
    auto refused = read_delete_options(text, o, d);
    BOOST_REQUIRE_MESSAGE(refused, text);
    BOOST_TEST(refused->status == 400, text);
    BOOST_TEST(!d, text);
  }
}
