// Tests api/routes.cpp: the resource, namespace, name and subresource a URL path names, as
// kubectl and client-go write them, and paths that name none.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "api/routes.hpp"

using capstan::api::parse_route;
using capstan::messages::object_kind;

BOOST_AUTO_TEST_CASE(paths_name_kind_namespace_name_and_subresource) {
  struct case_t {
    std::string path;
    object_kind kind;
    std::string ns, name, sub;
  };
  const std::vector<case_t> cases = {
      {"/api/v1/pods", object_kind::pod, "", "", ""},
      {"/api/v1/namespaces/default/pods", object_kind::pod, "default", "", ""},
      {"/api/v1/namespaces/default/pods/web-1", object_kind::pod, "default", "web-1", ""},
      {"/api/v1/namespaces/default/pods/web-1/log", object_kind::pod, "default", "web-1", "log"},
      {"/api/v1/namespaces/shop/replicationcontrollers/fe/scale",
       object_kind::replication_controller, "shop", "fe", "scale"},
      {"/api/v1/namespaces/kube-system/services/dns/", object_kind::service, "kube-system", "dns",
       ""},
      {"/api/v1/nodes", object_kind::node, "", "", ""},
      {"/api/v1/nodes/node-1/status", object_kind::node, "", "node-1", "status"},
      // A namespace itself: /namespaces/<name> and the namespaces collection.
      {"/api/v1/namespaces", object_kind::namespace_, "", "", ""},
      {"/api/v1/namespaces/shop", object_kind::namespace_, "", "shop", ""},
      // Other groups: /apis/GROUP/v1/...
      {"/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/bob",
       object_kind::role_binding, "team-a", "bob", ""},
      {"/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node", object_kind::cluster_role,
       "", "system:node", ""},
      {"/apis/rbac.authorization.k8s.io/v1/roles", object_kind::role, "", "", ""},
      // Escapes are decoded in each segment, after splitting.
      {"/api/v1/namespaces/default/pods/a%2Fb", object_kind::pod, "default", "a/b", ""},
      {"/api/v1/namespaces/default/events", object_kind::event, "default", "", ""},
      {"/api/v1/namespaces/default/endpoints/db", object_kind::endpoints, "default", "db", ""},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.path) {
      auto r = parse_route(c.path);
      BOOST_TEST(r.ok);
      BOOST_TEST(r.kind == c.kind);
      BOOST_TEST(r.ns == c.ns);
      BOOST_TEST(r.name == c.name);
      BOOST_TEST(r.sub == c.sub);
    }
  }
}

BOOST_AUTO_TEST_CASE(paths_that_name_no_resource_are_not_ok) {
  for (const std::string path :
       {"", "/", "/api", "/api/v1", "/api/v1/", "/apis/apps/v1/deployments", "/api/v2/pods",
        "/api/v1/widgets", "/api/v1/namespaces/default/widgets/x",
        "/api/v1/namespaces/default/pods/a/log/extra",
        // Cluster-scoped kinds do not live in a namespace.
        "/api/v1/namespaces/default/nodes/n1", "/api/v1/namespaces/default/namespaces/x",
        "/healthz", "api/v1/pods",
        // Only the plural resource name, of the path's group (authorization reads that name).
        "/api/v1/namespaces/default/svc/x", "/api/v1/po", "/api/v1/namespaces/default/roles",
        "/apis/rbac.authorization.k8s.io/v1/pods", "/apis/rbac.authorization.k8s.io/v2/roles",
        "/apis/rbac.authorization.k8s.io/v1/roles.rbac.authorization.k8s.io",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/x", "/apis/rbac.authorization.k8s.io/v1",
        // ClusterRoles and ClusterRoleBindings do not live in a namespace.
        "/apis/rbac.authorization.k8s.io/v1/namespaces/a/clusterroles/x"}) {
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(!parse_route(path).ok);
    }
  }
}
