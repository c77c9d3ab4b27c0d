// Tests auth/request_authorizer.cpp: the Node authorizer decides first, RBAC after it (an
// administrator can grant a node more), and a refusal keeps the Node authorizer's reason.
#include <boost/test/unit_test.hpp>

#include "auth/default_policy.hpp"
#include "auth/request_authorizer.hpp"

using namespace capstan;
using namespace capstan::auth;

namespace {

struct no_pods final : node_graph {
  std::string node_of_pod(const std::string&, const std::string&) const override { return ""; }
  bool node_uses(const std::string&, const std::string&, const std::string&,
                 const std::string&) const override {
    return false;
  }
};

const user_identity node_a{"system:node:a", "", {"system:nodes", "system:authenticated"}};

request_attributes get(std::string resource, std::string name) {
  request_attributes r;
  r.user = node_a;
  r.verb = "get";
  r.resource = std::move(resource);
  r.name = std::move(name);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_node_authorizer_decides_first_and_rbac_may_grant_more) {
  const no_pods graph;
  auto policy = std::make_shared<rbac_policy>(bootstrap_policy());
  {
    request_authorizer authorizer(policy, graph);
    auto own = authorizer.authorize(get("nodes", "a"));
    BOOST_TEST(own.allowed);
    BOOST_TEST(own.reason == "allowed by the Node authorizer");
    auto other = authorizer.authorize(get("nodes", "b"));
    BOOST_TEST(!other.allowed);
    BOOST_TEST(other.reason == "node 'a' cannot read 'b', only its own Node object");
    request_attributes version;
    version.user = node_a;
    version.verb = "get";
    version.resource_request = false;
    version.path = "/version";
    BOOST_TEST(authorizer.authorize(version).allowed);  // RBAC's system:discovery
  }
  // A binding of view to the nodes group lets nodes list every namespace's pods.
  messages::role_binding b;
  b.metadata.name = "nodes-view";
  b.role_ref_.kind = "ClusterRole";
  b.role_ref_.name = "view";
  b.subjects = {{"Group", "rbac.authorization.k8s.io", "system:nodes", ""}};
  auto granted = std::make_shared<rbac_policy>(*policy);
  granted->put_binding(b);
  request_authorizer authorizer(granted, graph);
  auto list = get("pods", "");
  list.verb = "list";
  list.namespace_ = "team";
  BOOST_TEST(authorizer.authorize(list).allowed);
  BOOST_TEST(authorizer.authorize(list).reason.find("RBAC: allowed by ClusterRoleBinding") == 0u);
}
