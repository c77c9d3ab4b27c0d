// Tests api/request_attributes.cpp: requests described as Kubernetes' RequestInfoFactory does
// (its table of cases, for what capstan serves).
#include <boost/test/unit_test.hpp>

#include "api/request_attributes.hpp"
#include "api/request_params.hpp"

using namespace capstan;
using namespace capstan::api;

namespace {

http_request request(const std::string& method, const std::string& url) {
  http_request r;
  r.method = method;
  auto q = url.find('?');
  r.path = url.substr(0, q);
  if (q != std::string::npos)
    r.query = parse_query(url.substr(q + 1));
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(resource_requests_give_verb_namespace_resource_name_and_subresource) {
  struct row {
    const char* method;
    const char* url;
    const char* verb;
    const char* namespace_;
    const char* group;
    const char* resource;
    const char* name;
    const char* subresource;
  };
  const row rows[] = {
      {"GET", "/api/v1/namespaces/team-a/pods", "list", "team-a", "", "pods", "", ""},
      {"GET", "/api/v1/namespaces/team-a/pods?watch=true", "watch", "team-a", "", "pods", "", ""},
      {"GET", "/api/v1/namespaces/team-a/pods?watch=1&fieldSelector=metadata.name%3Dweb", "watch",
       "team-a", "", "pods", "web", ""},
      {"GET", "/api/v1/namespaces/team-a/pods/web", "get", "team-a", "", "pods", "web", ""},
      {"HEAD", "/api/v1/namespaces/team-a/pods/web", "get", "team-a", "", "pods", "web", ""},
      {"GET", "/api/v1/namespaces/team-a/pods/web/log", "get", "team-a", "", "pods", "web", "log"},
      {"GET", "/api/v1/namespaces/team-a/pods/web/exec", "create", "team-a", "", "pods", "web", "exec"},
      {"POST", "/api/v1/namespaces/team-a/pods/web/portforward", "create", "team-a", "", "pods", "web",
       "portforward"},
      {"POST", "/api/v1/namespaces/team-a/pods", "create", "team-a", "", "pods", "", ""},
      {"PUT", "/api/v1/namespaces/team-a/replicationcontrollers/rc/scale", "update", "team-a", "",
       "replicationcontrollers", "rc", "scale"},
      {"PATCH", "/api/v1/namespaces/team-a/pods/web", "patch", "team-a", "", "pods", "web", ""},
      {"DELETE", "/api/v1/namespaces/team-a/pods/web", "delete", "team-a", "", "pods", "web", ""},
      {"DELETE", "/api/v1/namespaces/team-a/pods", "deletecollection", "team-a", "", "pods", "", ""},
      {"GET", "/api/v1/pods", "list", "", "", "pods", "", ""},
      {"GET", "/api/v1/nodes/node1", "get", "", "", "nodes", "node1", ""},
      // A namespace is in itself: a RoleBinding there lets its subjects read it.
      {"GET", "/api/v1/namespaces/team-a", "get", "team-a", "", "namespaces", "team-a", ""},
      {"PUT", "/api/v1/namespaces/team-a/status", "update", "team-a", "", "namespaces", "team-a",
       "status"},
      {"PUT", "/api/v1/namespaces/team-a/finalize", "update", "team-a", "", "namespaces", "team-a",
       "finalize"},
      {"GET", "/api/v1/namespaces", "list", "", "", "namespaces", "", ""},
      {"GET", "/api/v1/watch/namespaces/team-a/pods", "watch", "team-a", "", "pods", "", ""},
      {"GET", "/api/v1/watch/namespaces/team-a/pods/web", "watch", "team-a", "", "pods", "web", ""},
      {"GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings", "list", "team-a",
       "rbac.authorization.k8s.io", "rolebindings", "", ""},
      {"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "create", "",
       "authorization.k8s.io", "selfsubjectaccessreviews", "", ""},
      {"DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view", "delete", "",
       "rbac.authorization.k8s.io", "clusterroles", "view", ""},
  };
  for (const auto& r : rows) {
    auto a = describe_request(request(r.method, r.url));
    BOOST_TEST_CONTEXT(r.method << " " << r.url) {
      BOOST_TEST(a.resource_request);
      BOOST_TEST(a.verb == r.verb);
      BOOST_TEST(a.namespace_ == r.namespace_);
      BOOST_TEST(a.api_group == r.group);
      BOOST_TEST(a.resource == r.resource);
      BOOST_TEST(a.name == r.name);
      BOOST_TEST(a.subresource == r.subresource);
    }
  }
}

BOOST_AUTO_TEST_CASE(segments_are_read_decoded_as_the_router_reads_them) {
  // `%65xec` is served as exec: it must be authorized as exec.
  auto exec = describe_request(request("GET", "/api/v1/namespaces/t%31/pods/p%31/%65xec"));
  BOOST_TEST(exec.verb == "create");
  BOOST_TEST(exec.namespace_ == "t1");
  BOOST_TEST(exec.name == "p1");
  BOOST_TEST(exec.subresource == "exec");
  auto pods = describe_request(request("GET", "/api/v1/%70ods"));
  BOOST_TEST(pods.resource == "pods");
  BOOST_TEST(pods.verb == "list");
  auto watch = describe_request(request("GET", "/api/v1/%77atch/pods"));
  BOOST_TEST(watch.verb == "watch");
  BOOST_TEST(watch.resource == "pods");
}

BOOST_AUTO_TEST_CASE(other_paths_are_not_resources_and_keep_their_method) {
  for (const char* url : {"/api", "/api/v1", "/apis", "/apis/rbac.authorization.k8s.io",
                          "/apis/rbac.authorization.k8s.io/v1", "/version", "/healthz",
                          "/openapi/v2", "/metrics", "/", "/logs/x/y/z"}) {
    auto a = describe_request(request("GET", url));
    BOOST_TEST(!a.resource_request, url);
    BOOST_TEST(a.verb == "get", url);
    BOOST_TEST(a.path == url);
  }
  BOOST_TEST(describe_request(request("POST", "/version")).verb == "post");
  BOOST_TEST(describe_request(request("HEAD", "/healthz")).verb == "get");
}

BOOST_AUTO_TEST_CASE(an_odd_name_in_a_field_selector_names_nothing) {
  for (const char* selector : {"metadata.name%3D..", "metadata.name%3Da%2Fb", "metadata.name%3D",
                               "metadata.namespace%3Dx", "status.phase%3DRunning"}) {
    auto a = describe_request(request("GET", std::string("/api/v1/pods?fieldSelector=") + selector));
    BOOST_TEST(a.verb == "list");
    BOOST_TEST(a.name == "", selector);
  }
  auto both = describe_request(
      request("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning%2Cmetadata.name%3D%3Dweb"));
  BOOST_TEST(both.name == "web");
  // The name is read as the list reads it: spaces around it trimmed.
  auto spaced = describe_request(
      request("GET", "/api/v1/namespaces/a/pods?fieldSelector=metadata.name%3D%20web%20"));
  BOOST_TEST(spaced.name == "web");
}

BOOST_AUTO_TEST_CASE(a_field_selectors_equalities_are_what_the_request_reads) {
  auto a = describe_request(request(
      "GET", "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dedge1%2Cstatus.phase!%3DFailed"));
  BOOST_TEST(a.verb == "watch");
  BOOST_TEST(a.required_fields.size() == 1u);
  BOOST_TEST(a.required_fields.at(0).first == "spec.nodeName");
  BOOST_TEST(a.required_fields.at(0).second == "edge1");
  // A selector the list refuses requires nothing (and the list answers 400).
  BOOST_TEST(describe_request(request("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx"))
                 .required_fields.empty());
}
