// Tests api/tables.cpp: the Table kubectl prints for `get` -- columns, the cells of each kind
// (pod readiness, restarts and waiting reasons, RC counts, service ports, endpoints cut at three,
// node readiness), PartialObjectMetadata rows, and ages as kubectl writes them.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "api/tables.hpp"

using namespace capstan;
using api::human_age;
using api::table_of;
using messages::any_object;
using messages::json;
using messages::object_kind;

namespace {

const int64_t created = 1764582000;  // 2025-12-01T09:40:00Z

any_object object(const std::string& text) {
  messages::field_errors errors;
  auto o = messages::object_from_json(json::parse(text), errors);
  BOOST_REQUIRE_MESSAGE(o && errors.empty(), text);
  return *o;
}

std::vector<std::string> column_names(const json& table, bool wide) {
  std::vector<std::string> out;
  for (const auto& c : table.at("columnDefinitions"))
    if (wide || c.at("priority") == 0)
      out.push_back(c.at("name").get<std::string>());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(human_age_uses_kubectls_units) {
  BOOST_TEST(human_age(-5) == "0s");
  BOOST_TEST(human_age(0) == "0s");
  BOOST_TEST(human_age(119) == "119s");
  BOOST_TEST(human_age(120) == "2m");
  BOOST_TEST(human_age(2 * 3600 - 1) == "119m");
  BOOST_TEST(human_age(2 * 3600) == "2h");
  BOOST_TEST(human_age(48 * 3600 - 1) == "47h");
  BOOST_TEST(human_age(48 * 3600) == "2d");
  BOOST_TEST(human_age(400 * 86400) == "400d");
}

BOOST_AUTO_TEST_CASE(a_pod_table_has_kubectls_columns_and_cells) {
  auto pod = object(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web"},
                "creationTimestamp":"2025-12-01T09:40:00Z","resourceVersion":"17"},
    "spec":{"nodeName":"node-1","containers":[{"name":"a","image":"nginx"},{"name":"b","image":"redis"}]},
    "status":{"phase":"Running","podIP":"10.1.0.5","containerStatuses":[
      {"name":"a","ready":true,"restartCount":2,"image":"nginx","imageID":"","state":{"running":{}}},
      {"name":"b","ready":false,"restartCount":1,"image":"redis","imageID":"",
       "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})");
  json table = table_of(object_kind::pod, {pod}, 42, created + 300);
  BOOST_TEST(table.at("kind") == "Table");
  BOOST_TEST(table.at("apiVersion") == "meta.k8s.io/v1");
  BOOST_TEST(table.at("metadata").at("resourceVersion") == "42");
  BOOST_TEST(column_names(table, false) ==
                 (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}),
             boost::test_tools::per_element());
  BOOST_TEST(
      column_names(table, true) ==
          (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"}),
      boost::test_tools::per_element());
  BOOST_REQUIRE(table.at("rows").size() == 1u);
  const json& row = table.at("rows")[0];
  // A waiting container's reason replaces the phase; restarts add up; 300 s read "5m".
  BOOST_TEST(row.at("cells") ==
             json::parse(R"(["web-1","1/2","CrashLoopBackOff",3,"5m","10.1.0.5","node-1"])"));
  // The row carries the object's metadata, so -A, --show-labels and -L work.
  BOOST_TEST(row.at("object").at("kind") == "PartialObjectMetadata");
  BOOST_TEST(row.at("object").at("metadata").at("namespace") == "shop");
  BOOST_TEST(row.at("object").at("metadata").at("labels") == json::parse(R"({"app":"web"})"));
}

BOOST_AUTO_TEST_CASE(pending_and_terminating_pods_say_so) {
  auto fresh = object(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d"},
    "spec":{"containers":[{"name":"a","image":"x"}]}})");
  auto cells = table_of(object_kind::pod, {fresh}, 1, created).at("rows")[0].at("cells");
  BOOST_TEST(cells == json::parse(R"(["p","0/1","Pending",0,"<unknown>","<none>","<none>"])"));
  auto leaving = object(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"d",
    "deletionTimestamp":"2025-12-01T09:40:00Z"},"spec":{"containers":[{"name":"a","image":"x"}]},
    "status":{"phase":"Running"}})");
  BOOST_TEST(table_of(object_kind::pod, {leaving}, 1, created).at("rows")[0].at("cells")[2] ==
             "Terminating");
}

BOOST_AUTO_TEST_CASE(rc_service_and_endpoints_cells) {
  auto rc = object(R"({"apiVersion":"v1","kind":"ReplicationController",
    "metadata":{"name":"fe","namespace":"d","creationTimestamp":"2025-12-01T09:40:00Z"},
    "spec":{"replicas":3,"selector":{"app":"fe","tier":"web"},"template":{
      "metadata":{"labels":{"app":"fe","tier":"web"}},
      "spec":{"containers":[{"name":"php","image":"php:8"},{"name":"log","image":"busybox"}]}}},
    "status":{"replicas":2,"readyReplicas":1}})");
  BOOST_TEST(table_of(object_kind::replication_controller, {rc}, 1, created + 3 * 86400)
                 .at("rows")[0]
                 .at("cells") ==
             json::parse(R"(["fe",3,2,1,"3d","php,log","php:8,busybox","app=fe,tier=web"])"));

  auto svc = object(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"db","namespace":"d","creationTimestamp":"2025-12-01T09:40:00Z"},
    "spec":{"type":"NodePort","clusterIP":"10.0.0.9","ports":[
      {"port":5432,"protocol":"TCP","nodePort":30007},{"port":53,"protocol":"UDP"}]}})");
  BOOST_TEST(table_of(object_kind::service, {svc}, 1, created + 60).at("rows")[0].at("cells") ==
             json::parse(R"(["db","NodePort","10.0.0.9","<none>","5432:30007/TCP,53/UDP","60s",
                             "<none>"])"));

  auto ep =
      object(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"db","namespace":"d"},
    "subsets":[{"addresses":[{"ip":"10.1.0.1"},{"ip":"10.1.0.2"},{"ip":"10.1.0.3"},
                             {"ip":"10.1.0.4"},{"ip":"10.1.0.5"}],
                "ports":[{"port":5432,"protocol":"TCP"}]}]})");
  BOOST_TEST(table_of(object_kind::endpoints, {ep}, 1, created).at("rows")[0].at("cells")[1] ==
             "10.1.0.1:5432,10.1.0.2:5432,10.1.0.3:5432 + 2 more...");
}

BOOST_AUTO_TEST_CASE(node_status_reads_ready_and_cordoned) {
  auto node = object(R"({"apiVersion":"v1","kind":"Node",
    "metadata":{"name":"node-1","creationTimestamp":"2025-12-01T09:40:00Z"},
    "spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"Ready","status":"False"}],
              "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.7.2"}],
              "nodeInfo":{"kubeletVersion":"v1.0.0-capstan","osImage":"Debian","kernelVersion":"6.1",
                          "containerRuntimeVersion":"runc://1.1"}}})");
  json table = table_of(object_kind::node, {node}, 1, created + 7200);
  BOOST_TEST(table.at("rows")[0].at("cells") ==
             json::parse(R"(["node-1","NotReady,SchedulingDisabled","<none>","2h","v1.0.0-capstan",
                             "192.168.7.2","Debian","6.1","runc://1.1"])"));
  BOOST_TEST(column_names(table, false) ==
                 (std::vector<std::string>{"Name", "Status", "Roles", "Age", "Version"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_empty_list_is_a_table_without_rows) {
  json table = table_of(object_kind::namespace_, {}, 9, created);
  BOOST_TEST(table.at("rows") == json::array());
  BOOST_TEST(column_names(table, true) == (std::vector<std::string>{"Name", "Status", "Age"}),
             boost::test_tools::per_element());
}
