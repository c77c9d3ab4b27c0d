// Tests api/access_reviews.cpp and api/forbidden.cpp: the self reviews answer with the
// authorizers' verdict (the Node authorizer's, then RBAC's), the user's rules and identity; bad
// reviews are 400s; refusals are Kubernetes' 403s.
#include <boost/test/unit_test.hpp>

#include "api/access_reviews.hpp"
#include "api/forbidden.hpp"
#include "auth/default_policy.hpp"

using namespace capstan;
using namespace capstan::api;
using messages::json;

namespace {

http_request post(const std::string& path, const json& body, const user_info& user) {
  http_request r;
  r.method = "POST";
  r.path = path;
  r.content_type = "application/json";
  r.body = body.dump();
  r.user = user;
  return r;
}

const user_info bob{"bob", "u-bob", {"system:authenticated"}};
const user_info admin{"admin", "admin", {"system:masters", "system:authenticated"}};
const user_info node_a{"system:node:a", "", {"system:nodes", "system:authenticated"}};
const std::string access_path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

// One pod, default/on-a, bound to node a.
struct one_pod_graph final : auth::node_graph {
  std::string node_of_pod(const std::string& ns, const std::string& name) const override {
    return ns == "default" && name == "on-a" ? "a" : "";
  }
  bool node_uses(const std::string&, const std::string&, const std::string&,
                 const std::string&) const override {
    return false;
  }
};

auth::request_authorizer bootstrap_authorizer() {
  static const one_pod_graph graph;
  return auth::request_authorizer(std::make_shared<auth::rbac_policy>(auth::bootstrap_policy()),
                                  graph);
}

json answer(const http_request& r) {
  auto response = answer_access_review(r, bootstrap_authorizer());
  BOOST_REQUIRE(response.has_value());
  BOOST_TEST(response->status == 201);
  return json::parse(response->body);
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_access_review_answers_with_rbacs_verdict_for_the_caller) {
  const json list_pods = {
      {"kind", "SelfSubjectAccessReview"},
      {"apiVersion", "authorization.k8s.io/v1"},
      {"spec", {{"resourceAttributes", {{"namespace", "team-a"}, {"verb", "list"}, {"resource", "pods"}}}}}};
  auto denied = answer(post(access_path, list_pods, bob));
  BOOST_TEST(denied["status"]["allowed"] == false);
  BOOST_TEST(denied["spec"] == list_pods["spec"]);
  auto allowed = answer(post(access_path, list_pods, admin));
  BOOST_TEST(allowed["status"]["allowed"] == true);
  const json version = {{"spec", {{"nonResourceAttributes", {{"path", "/version"}, {"verb", "get"}}}}}};
  auto version_read = answer(post(access_path, version, bob));
  BOOST_TEST(version_read["status"]["allowed"] == true);
  BOOST_TEST(version_read["status"]["reason"].get<std::string>().find("ClusterRoleBinding") != std::string::npos);
  BOOST_TEST(version_read["kind"] == "SelfSubjectAccessReview");
}

BOOST_AUTO_TEST_CASE(a_nodes_access_review_answers_with_the_node_authorizers_verdict) {
  auto pod = [](const std::string& name) {
    return json{{"spec",
                 {{"resourceAttributes",
                   {{"namespace", "default"}, {"verb", "get"}, {"resource", "pods"}, {"name", name}}}}}};
  };
  auto own = answer(post(access_path, pod("on-a"), node_a));
  BOOST_TEST(own["status"]["allowed"] == true);
  auto other = answer(post(access_path, pod("on-b"), node_a));
  BOOST_TEST(other["status"]["allowed"] == false);
  BOOST_TEST(other["status"]["reason"] ==
             "no relationship found between node 'a' and this object");
}

BOOST_AUTO_TEST_CASE(a_rules_review_lists_the_callers_rules_and_a_self_review_the_caller) {
  auto rules = answer(post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                           {{"spec", {{"namespace", "team-a"}}}}, bob));
  BOOST_TEST(rules["status"]["incomplete"] == false);
  BOOST_TEST(rules["status"]["resourceRules"].size() == 2u);  // the two basic-user rules
  BOOST_TEST(rules["status"]["nonResourceRules"].size() == 2u);
  auto me = answer(post("/apis/authentication.k8s.io/v1/selfsubjectreviews", json::object(), bob));
  BOOST_TEST(me["status"]["userInfo"]["username"] == "bob");
  BOOST_TEST(me["status"]["userInfo"]["uid"] == "u-bob");
  BOOST_TEST(me["status"]["userInfo"]["groups"] == json({"system:authenticated"}));
  BOOST_TEST(me["apiVersion"] == "authentication.k8s.io/v1");
}

BOOST_AUTO_TEST_CASE(bad_reviews_are_400s_and_other_paths_are_not_reviews) {
  const auto policy = bootstrap_authorizer();
  for (const json& bad : {json{{"spec", json::object()}},
                          json{{"spec", {{"resourceAttributes", json::object()},
                                         {"nonResourceAttributes", json::object()}}}},
                          json{{"spec", {{"resourceAttributes", {{"verb", 7}}}}}},
                          json{{"kind", "Pod"}}, json::array()}) {
    auto response = answer_access_review(post(access_path, bad, bob), policy);
    BOOST_REQUIRE(response.has_value());
    BOOST_TEST(response->status == 400, bad.dump());
  }
  auto get = post(access_path, json::object(), bob);
  get.method = "GET";
  BOOST_TEST(answer_access_review(get, policy)->status == 405);
  BOOST_TEST(!answer_access_review(post("/api/v1/pods", json::object(), bob), policy).has_value());
}

BOOST_AUTO_TEST_CASE(a_refusal_is_kubernetes_403_with_the_qualified_resource) {
  auth::request_attributes a;
  a.user = bob;
  a.verb = "get";
  a.namespace_ = "team-a";
  a.resource = "pods";
  a.name = "web";
  auto named = json::parse(forbidden(a).body);
  BOOST_TEST(forbidden(a).status == 403);
  BOOST_TEST(named["reason"] == "Forbidden");
  BOOST_TEST(named["message"] == R"(pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "team-a")");
  BOOST_TEST(named["details"]["name"] == "web");
  BOOST_TEST(named["details"]["kind"] == "pods");
  a.api_group = "rbac.authorization.k8s.io";
  a.resource = "roles";
  a.name = "";
  a.verb = "list";
  auto grouped = json::parse(forbidden(a).body);
  BOOST_TEST(grouped["message"] == R"(roles.rbac.authorization.k8s.io is forbidden: User "bob" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "team-a")");
  BOOST_TEST(grouped["details"]["group"] == "rbac.authorization.k8s.io");
  auth::request_attributes path;
  path.user = bob;
  path.verb = "get";
  path.resource_request = false;
  path.path = "/metrics";
  BOOST_TEST(json::parse(forbidden(path).body)["message"] == R"(forbidden: User "bob" cannot get path "/metrics")");
  a.user = node_a;
  a.api_group = "";
  a.resource = "pods";
  a.name = "web";
  a.verb = "get";
  BOOST_TEST(json::parse(forbidden(a, "no relationship found between node 'a' and this object").body)["message"] ==
             R"(pods "web" is forbidden: User "system:node:a" cannot get resource "pods" in API group "" in the namespace "team-a": no relationship found between node 'a' and this object)");
}
