// api/audit/compact_object: the console's compact form is exactly the full encoding with every
// member outside the compact fields removed (checked against a pruning of to_json's output, the
// form it replaced), for each kind the console lists.
#include <boost/test/unit_test.hpp>

#include <unordered_map>

#include "api/audit/compact_object.hpp"

using namespace capstan::messages;
using capstan::api::audit::compact_fields;
using capstan::api::audit::compact_object_json;

namespace {

any_object decoded(const char* text) {
  field_errors errors;
  auto object = object_from_json(json::parse(text), errors);
  BOOST_TEST_REQUIRE(errors.empty());
  BOOST_TEST_REQUIRE(object.has_value());
  return std::move(*object);
}

// The reference: the full encoding pruned member by member (lists walked through).
json pruned(const json& value, const std::string& prefix) {
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value)
      out.push_back(pruned(v, prefix));
    return out;
  }
  if (!value.is_object())
    return value;
  std::unordered_map<std::string, bool> paths;  // true: kept whole; false: leads to one
  for (const auto& field : compact_fields()) {
    paths[field] = true;
    for (auto dot = field.find('.'); dot != std::string::npos; dot = field.find('.', dot + 1))
      paths.emplace(field.substr(0, dot), false);
  }
  json out = json::object();
  for (const auto& [key, v] : value.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    auto found = paths.find(path);
    if (found != paths.end())
      out[key] = found->second ? v : pruned(v, path);
  }
  return out;
}

const char* const pod_text = R"({"apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"web-1","namespace":"shop","uid":"u-1","labels":{"app":"web"},
    "annotations":{"note":"x"},"creationTimestamp":"2026-12-01T10:00:00Z",
    "ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"web","uid":"u-rc"}]},
  "spec":{"nodeName":"node1","containers":[{"name":"web","image":"nginx",
      "ports":[{"containerPort":80}],"env":[{"name":"A","value":"b"}],
      "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"1"}}},
    {"name":"side","image":"busybox"}],
    "volumes":[{"name":"data","emptyDir":{}}]},
  "status":{"phase":"Running","podIP":"10.1.0.5","hostIP":"192.168.77.11",
    "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-12-01T10:00:05Z"}],
    "containerStatuses":[{"name":"web","ready":true,"restartCount":3,"image":"nginx","imageID":"i"}]}})";

}  // namespace

BOOST_AUTO_TEST_CASE(a_pod_keeps_only_what_the_console_shows) {
  const auto pod = decoded(pod_text);
  const json compact = compact_object_json(pod);
  BOOST_TEST(compact == pruned(to_json(pod), ""));
  BOOST_TEST(compact.dump() == pruned(to_json(pod), "").dump());  // the same order too
  BOOST_TEST(compact["metadata"]["name"] == "web-1");
  BOOST_TEST(!compact["metadata"].contains("labels"));
  BOOST_TEST(compact["spec"]["containers"].size() == 2u);
  BOOST_TEST(!compact["spec"]["containers"][0].contains("image"));
  BOOST_TEST(compact["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "1");
  BOOST_TEST(compact["status"]["containerStatuses"][0]["restartCount"] == 3);
  BOOST_TEST(!compact["status"].contains("hostIP"));
}

BOOST_AUTO_TEST_CASE(every_kind_the_console_lists_matches_the_pruned_full_form) {
  const char* const texts[] = {
      R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web","namespace":"shop"},
        "spec":{"replicas":3,"selector":{"app":"web"},"template":{"metadata":{"labels":{"app":"web"}},
          "spec":{"containers":[{"name":"web","image":"nginx"}]}}},
        "status":{"replicas":2,"readyReplicas":1}})",
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"front"},
        "spec":{"type":"NodePort","clusterIP":"10.254.0.4","selector":{"app":"web"},
          "ports":[{"name":"http","port":80,"targetPort":8080,"nodePort":30001}]}})",
      R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node1"},
        "status":{"capacity":{"cpu":"4","pods":"110"},"allocatable":{"cpu":"4"},
          "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],
          "addresses":[{"type":"InternalIP","address":"192.168.77.11"}]}})",
      R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"front"},
        "subsets":[{"addresses":[{"ip":"10.1.0.5","nodeName":"node1"}],"ports":[{"port":8080}]}]})",
      R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"a":"b"}}})"};
  for (const char* text : texts) {
    const auto object = decoded(text);
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(compact_object_json(object).dump() == pruned(to_json(object), "").dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_secret_shows_neither_its_data_nor_its_annotations) {
  const auto secret = decoded(R"({"apiVersion":"v1","kind":"Secret",
    "metadata":{"name":"s","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
    "data":{"password":"c2VjcmV0"}})");
  const json compact = compact_object_json(secret);
  BOOST_TEST(compact["metadata"]["name"] == "s");
  BOOST_TEST(!compact.contains("data"));
  BOOST_TEST(!compact["metadata"].contains("annotations"));
}
