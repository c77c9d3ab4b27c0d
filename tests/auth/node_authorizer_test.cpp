// Tests auth/node_authorizer.cpp: a node's identity reads and updates its own Node and the pods
// bound to it, reads what those pods use, and nothing of another node; other users get no
// opinion. Tables as Kubernetes' node_authorizer_test has them.
#include <boost/test/unit_test.hpp>

#include "auth/node_authorizer.hpp"

using namespace capstan;
using namespace capstan::auth;

namespace {

// Pods: team/on-a bound to a, team/on-b bound to b, team/pending unbound. Node a's pods use
// Secret team/a-secret and ConfigMap team/a-config; b's use team/b-secret.
struct two_node_graph final : node_graph {
  std::string node_of_pod(const std::string& ns, const std::string& name) const override {
    if (ns != "team")
      return "";
    return name == "on-a" ? "a" : name == "on-b" ? "b" : "";
  }
  bool node_uses(const std::string& node, const std::string& resource, const std::string& ns,
                 const std::string& name) const override {
    if (ns != "team")
      return false;
    if (node == "a")
      return (resource == "secrets" && name == "a-secret") ||
             (resource == "configmaps" && name == "a-config");
    return node == "b" && resource == "secrets" && name == "b-secret";
  }
};

const user_identity node_a{"system:node:a", "", {"system:nodes", "system:authenticated"}};

request_attributes ask(std::string verb, std::string resource, std::string ns, std::string name,
                       std::string subresource = "") {
  request_attributes r;
  r.user = node_a;
  r.verb = std::move(verb);
  r.resource = std::move(resource);
  r.namespace_ = std::move(ns);
  r.name = std::move(name);
  r.subresource = std::move(subresource);
  r.path = "/api/v1/...";
  return r;
}

request_attributes selecting(request_attributes r, std::string field, std::string value) {
  r.required_fields.emplace_back(std::move(field), std::move(value));
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_node_identity_is_a_name_with_the_prefix_in_the_nodes_group) {
  BOOST_TEST(node_name_of(node_a).value_or("?") == "a");
  BOOST_TEST(!node_name_of({"system:node:a", "", {"system:authenticated"}}).has_value());
  BOOST_TEST(!node_name_of({"a", "", {"system:nodes"}}).has_value());
  BOOST_TEST(node_name_of({"system:node:", "", {"system:nodes"}}).value_or("?") == "");
}

BOOST_AUTO_TEST_CASE(a_node_is_allowed_exactly_its_own_objects) {
  const two_node_graph graph;
  struct row {
    request_attributes request;
    bool allowed;
  };
  const std::vector<row> table = {
      // its Node: read, update, status; not another's, not all, not create or delete
      {ask("get", "nodes", "", "a"), true},
      {ask("get", "nodes", "", "b"), false},
      {ask("list", "nodes", "", ""), false},
      {ask("watch", "nodes", "", "a"), true},  // fieldSelector metadata.name=a
      {ask("update", "nodes", "", "a"), true},
      {ask("patch", "nodes", "", "a", "status"), true},
      {ask("patch", "nodes", "", "b", "status"), false},
      {ask("update", "nodes", "", "b"), false},
      {ask("create", "nodes", "", ""), false},
      {ask("delete", "nodes", "", "a"), false},
      {ask("delete", "nodes", "", "b"), false},
      {ask("get", "nodes", "", "a", "proxy"), false},
      // pods bound to it: read, status, delete; another node's or unbound: nothing
      {ask("get", "pods", "team", "on-a"), true},
      {ask("get", "pods", "team", "on-b"), false},
      {ask("get", "pods", "team", "pending"), false},
      {ask("get", "pods", "other", "on-a"), false},
      {ask("get", "pods", "team", "on-a", "status"), true},
      {ask("patch", "pods", "team", "on-a", "status"), true},
      {ask("update", "pods", "team", "on-b", "status"), false},
      {ask("delete", "pods", "team", "on-a"), true},
      {ask("delete", "pods", "team", "on-b"), false},
      {ask("update", "pods", "team", "on-a"), false},
      {ask("create", "pods", "team", ""), false},
      {ask("create", "pods", "team", "on-a", "exec"), false},
      {ask("get", "pods", "team", "on-a", "log"), false},
      {ask("deletecollection", "pods", "team", ""), false},
      {ask("list", "pods", "", ""), false},
      {ask("list", "pods", "team", ""), false},
      {selecting(ask("list", "pods", "", ""), "spec.nodeName", "a"), true},
      {selecting(ask("watch", "pods", "team", ""), "spec.nodeName", "a"), true},
      {selecting(ask("watch", "pods", "", ""), "spec.nodeName", "b"), false},
      {selecting(ask("list", "pods", "team", "on-a"), "metadata.name", "on-a"), false},
      {selecting(ask("watch", "pods", "team", "on-a"), "metadata.name", "on-a"), false},
      {selecting(ask("list", "pods", "team", "on-b"), "metadata.name", "on-b"), false},
      // what its pods use, one by one
      {ask("get", "secrets", "team", "a-secret"), true},
      {ask("get", "secrets", "team", "b-secret"), false},
      {ask("list", "secrets", "team", ""), false},
      {ask("watch", "secrets", "team", "a-secret"), true},
      {ask("update", "secrets", "team", "a-secret"), false},
      {ask("delete", "secrets", "team", "a-secret"), false},
      {ask("get", "configmaps", "team", "a-config"), true},
      {ask("get", "configmaps", "team", "a-secret"), false},
      // the cluster's services and endpoints; events written
      {ask("list", "services", "", ""), true},
      {ask("watch", "endpoints", "team", ""), true},
      {ask("delete", "services", "team", "web"), false},
      {ask("create", "events", "team", ""), true},
      {ask("delete", "events", "team", "x"), false},
      // anything else: no opinion
      {ask("get", "namespaces", "", "team"), false},
      {ask("list", "replicationcontrollers", "team", ""), false},
  };
  for (const auto& [request, allowed] : table) {
    auto decision = authorize_node(request, graph);
    BOOST_TEST(decision.allowed == allowed,
               request.verb << " " << request.resource << "/" << request.subresource << " "
                            << request.namespace_ << "/" << request.name);
  }
}

BOOST_AUTO_TEST_CASE(a_refused_node_is_told_why_and_other_users_get_no_opinion) {
  const two_node_graph graph;
  BOOST_TEST(authorize_node(ask("get", "pods", "team", "on-b"), graph).reason ==
             "no relationship found between node 'a' and this object");
  BOOST_TEST(authorize_node(ask("get", "nodes", "", "b"), graph).reason ==
             "node 'a' cannot read 'b', only its own Node object");
  BOOST_TEST(authorize_node(ask("list", "pods", "", ""), graph).reason ==
             "can only list/watch pods with spec.nodeName=a field selector");
  auto bob = ask("get", "pods", "team", "on-a");
  bob.user = {"bob", "", {"system:authenticated"}};
  auto decision = authorize_node(bob, graph);
  BOOST_TEST(!decision.allowed);
  BOOST_TEST(decision.reason == "");
  // A node user in another API group or on a path: no opinion either.
  auto role = ask("get", "roles", "team", "x");
  role.api_group = "rbac.authorization.k8s.io";
  BOOST_TEST(!authorize_node(role, graph).allowed);
  auto healthz = ask("get", "", "", "");
  healthz.resource_request = false;
  healthz.path = "/healthz";
  BOOST_TEST(!authorize_node(healthz, graph).allowed);
  auto nameless = ask("get", "nodes", "", "");
  nameless.user.name = "system:node:";
  BOOST_TEST(authorize_node(nameless, graph).reason == "unknown node for user 'system:node:'");
}
