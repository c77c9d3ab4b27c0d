// Tests api/protobuf.cpp: the protobuf bodies kubectl sends (a Namespace, a policy/v1 Eviction in
// the "k8s\0" runtime.Unknown envelope) decode to the JSON capstan reads, and anything else --
// garbage, truncation, another envelope or kind, nesting without end -- to nullopt. The bodies
// are built here byte by byte with Kubernetes' field numbers (k8s.io/api and apimachinery
// generated.proto), independently of api/proto/, so a wrong number there fails here.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "api/protobuf.hpp"

using capstan::api::object_from_protobuf;
using capstan::messages::json;

namespace {

std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
  return out;
}

// A length-delimited field (wire type 2): a string, bytes or an embedded message.
std::string field(int number, const std::string& bytes) {
  return varint(uint64_t(number) << 3 | 2) + varint(bytes.size()) + bytes;
}

// A varint field (wire type 0).
std::string number_field(int number, uint64_t value) {
  return varint(uint64_t(number) << 3) + varint(value);
}

// A map<string, string> entry.
std::string map_entry(int number, const std::string& key, const std::string& value) {
  return field(number, field(1, key) + field(2, value));
}

// "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
std::string envelope(const std::string& api_version, const std::string& kind,
                     const std::string& raw) {
  return std::string("k8s\0", 4) + field(1, field(1, api_version) + field(2, kind)) +
         field(2, raw) + field(4, "application/vnd.kubernetes.protobuf");
}

// ObjectMeta: 1 name, 2 generateName, 3 namespace, 5 uid, 8 creationTimestamp, 11 labels,
// 12 annotations. Namespace: 1 metadata, 2 spec {1 finalizers}.
std::string namespace_raw() {
  std::string meta = field(1, "demo") + field(5, "ignored-uid") +
                     field(8, number_field(1, 1700000000)) + map_entry(11, "env", "prod") +
                     map_entry(11, "team", "a") + map_entry(12, "note", "x");
  return field(1, meta) + field(2, field(1, "kubernetes"));
}

// Eviction: 1 metadata, 2 deleteOptions (1 gracePeriodSeconds, 2 preconditions {1 uid,
// 2 resourceVersion}, 4 propagationPolicy, 5 dryRun).
std::string eviction_raw() {
  std::string meta = field(1, "web-1") + field(3, "shop");
  std::string options = number_field(1, 30) + field(2, field(1, "u-1") + field(2, "42")) +
                        field(4, "Foreground") + field(5, "All");
  return field(1, meta) + field(2, options);
}

}  // namespace

BOOST_AUTO_TEST_CASE(kubectl_create_namespace_decodes_to_its_json) {
  auto out = object_from_protobuf(envelope("v1", "Namespace", namespace_raw()));
  BOOST_REQUIRE(out);
  // Field order as capstan writes it; fields capstan does not read (the timestamp, spec) are
  // skipped; the uid is kept (an update's precondition).
  BOOST_TEST(out->dump() == R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo",)"
                            R"("labels":{"env":"prod","team":"a"},"annotations":{"note":"x"},)"
                            R"("uid":"ignored-uid"}})");

  auto generated = object_from_protobuf(envelope("v1", "Namespace", field(1, field(2, "tmp-"))));
  BOOST_REQUIRE(generated);
  BOOST_TEST(generated->dump() ==
             R"({"apiVersion":"v1","kind":"Namespace","metadata":{"generateName":"tmp-"}})");
}

// Secret: 1 metadata, 2 data (map<string, bytes>), 3 type, 4 stringData, 5 immutable.
// ObjectMeta: 6 resourceVersion, 13 ownerReferences {1 kind, 3 name, 4 uid, 5 apiVersion,
// 6 controller}.
BOOST_AUTO_TEST_CASE(kubectl_create_secret_and_configmap_decode_to_their_json) {
  std::string meta = field(1, "db") + field(3, "team-a") + field(6, "42") +
                     field(13, field(1, "ReplicationController") + field(3, "web") +
                                   field(4, "u-1") + field(5, "v1") + number_field(6, 1));
  std::string secret = field(1, meta) + map_entry(2, "password", std::string("hu\0ter2", 7)) +
                       field(3, "Opaque") + map_entry(4, "user", "app") + number_field(5, 1);
  auto out = object_from_protobuf(envelope("v1", "Secret", secret));
  BOOST_REQUIRE(out);
  BOOST_TEST(out->at("data").dump() == R"({"password":"aHUAdGVyMg=="})");  // base64 of bytes
  BOOST_TEST(out->at("stringData").dump() == R"({"user":"app"})");
  BOOST_TEST(out->at("type") == "Opaque");
  BOOST_TEST(out->at("immutable") == true);
  BOOST_TEST(out->at("metadata").at("resourceVersion") == "42");  // a stale one is a conflict
  BOOST_TEST(out->at("metadata").at("ownerReferences").dump() ==
             R"([{"apiVersion":"v1","kind":"ReplicationController","name":"web","uid":"u-1",)"
             R"("controller":true}])");
  // The envelope's apiVersion is kept, for the object's decoder to refuse a wrong one.
  auto wrong = object_from_protobuf(envelope("apps/v1", "Secret", secret));
  BOOST_REQUIRE(wrong);
  BOOST_TEST(wrong->at("apiVersion") == "apps/v1");

  // ConfigMap: 1 metadata, 2 data, 3 binaryData, 4 immutable.
  auto cm = object_from_protobuf(envelope(
      "v1", "ConfigMap", field(1, field(1, "settings")) + map_entry(2, "LOG_LEVEL", "debug") +
                             map_entry(3, "blob", "\x01\x02")));
  BOOST_REQUIRE(cm);
  BOOST_TEST(cm->at("data").dump() == R"({"LOG_LEVEL":"debug"})");
  BOOST_TEST(cm->at("binaryData").dump() == R"({"blob":"AQI="})");
}

BOOST_AUTO_TEST_CASE(labels_come_out_sorted_whatever_their_wire_order) {
  std::string meta =
      field(1, "n") + map_entry(11, "z", "1") + map_entry(11, "a", "2") + map_entry(11, "m", "3");
  auto out = object_from_protobuf(envelope("v1", "Namespace", field(1, meta)));
  BOOST_REQUIRE(out);
  BOOST_TEST(out->at("metadata").at("labels").dump() == R"({"a":"2","m":"3","z":"1"})");
}

BOOST_AUTO_TEST_CASE(kubectl_drain_eviction_decodes_to_its_json) {
  auto out = object_from_protobuf(envelope("policy/v1", "Eviction", eviction_raw()));
  BOOST_REQUIRE(out);
  BOOST_TEST(out->dump() ==
             R"({"apiVersion":"policy/v1","kind":"Eviction",)"
             R"("metadata":{"name":"web-1","namespace":"shop"},)"
             R"("deleteOptions":{"preconditions":{"uid":"u-1","resourceVersion":"42"},)"
             R"("propagationPolicy":"Foreground","dryRun":["All"]}})");

  // An eviction without options has empty deleteOptions.
  auto bare = object_from_protobuf(
      envelope("policy/v1", "Eviction", field(1, field(1, "p") + field(3, "default"))));
  BOOST_REQUIRE(bare);
  BOOST_TEST(bare->at("deleteOptions") == json::object());
  BOOST_TEST(bare->at("metadata") == json::parse(R"({"name":"p","namespace":"default"})"));
}

BOOST_AUTO_TEST_CASE(kubectl_create_role_and_rolebinding_decode_to_their_json) {
  // Role{metadata{name, namespace}, rules[{verbs, apiGroups, resources, resourceNames}]}
  const std::string rule = field(1, "get") + field(1, "list") + field(2, "") + field(3, "pods") +
                           field(4, "web");
  auto role = object_from_protobuf(envelope(
      "rbac.authorization.k8s.io/v1", "Role",
      field(1, field(1, "pod-reader") + field(3, "team-a")) + field(2, rule)));
  BOOST_REQUIRE(role);
  BOOST_TEST((*role)["apiVersion"] == "rbac.authorization.k8s.io/v1");
  BOOST_TEST((*role)["metadata"]["namespace"] == "team-a");
  BOOST_TEST((*role)["rules"][0]["verbs"] == json({"get", "list"}));
  BOOST_TEST((*role)["rules"][0]["apiGroups"] == json({""}));
  BOOST_TEST((*role)["rules"][0]["resources"] == json({"pods"}));
  BOOST_TEST((*role)["rules"][0]["resourceNames"] == json({"web"}));
  // ClusterRole with a non-resource URL (field 5).
  auto cluster_role = object_from_protobuf(envelope(
      "rbac.authorization.k8s.io/v1", "ClusterRole",
      field(1, field(1, "probe")) + field(2, field(1, "get") + field(5, "/healthz"))));
  BOOST_REQUIRE(cluster_role);
  BOOST_TEST((*cluster_role)["rules"][0]["nonResourceURLs"] == json({"/healthz"}));
  // RoleBinding{metadata, subjects[{kind, apiGroup, name, namespace}], roleRef{apiGroup, kind, name}}
  auto binding = object_from_protobuf(envelope(
      "rbac.authorization.k8s.io/v1", "RoleBinding",
      field(1, field(1, "bob-view") + field(3, "team-a")) +
          field(2, field(1, "User") + field(2, "rbac.authorization.k8s.io") + field(3, "bob")) +
          field(2, field(1, "ServiceAccount") + field(3, "ci") + field(4, "build")) +
          field(3, field(1, "rbac.authorization.k8s.io") + field(2, "ClusterRole") +
                       field(3, "view"))));
  BOOST_REQUIRE(binding);
  BOOST_TEST((*binding)["subjects"][0]["name"] == "bob");
  BOOST_TEST((*binding)["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io");
  BOOST_TEST((*binding)["subjects"][1]["namespace"] == "build");
  BOOST_TEST((*binding)["roleRef"]["kind"] == "ClusterRole");
  BOOST_TEST((*binding)["roleRef"]["name"] == "view");
  auto cluster_binding = object_from_protobuf(
      envelope("rbac.authorization.k8s.io/v1", "ClusterRoleBinding",
               field(1, field(1, "x")) + field(3, field(2, "ClusterRole") + field(3, "view"))));
  BOOST_REQUIRE(cluster_binding);
  BOOST_TEST((*cluster_binding)["kind"] == "ClusterRoleBinding");
  BOOST_TEST((*cluster_binding)["subjects"] == json::array());
}

BOOST_AUTO_TEST_CASE(anything_but_an_enveloped_namespace_or_eviction_is_refused) {
  const std::string good = envelope("v1", "Namespace", namespace_raw());
  BOOST_REQUIRE(object_from_protobuf(good));
  // No envelope, another magic, an envelope and nothing in it.
  BOOST_TEST(!object_from_protobuf(""));
  BOOST_TEST(!object_from_protobuf("k8s"));
  BOOST_TEST(!object_from_protobuf(good.substr(4)));
  BOOST_TEST(!object_from_protobuf(std::string("k8s\1", 4) + good.substr(4)));
  BOOST_TEST(!object_from_protobuf(std::string("k8s\0", 4)));
  BOOST_TEST(!object_from_protobuf(R"({"apiVersion":"v1","kind":"Namespace"})"));
  // Kinds capstan does not take as protobuf.
  BOOST_TEST(!object_from_protobuf(envelope("v1", "Pod", namespace_raw())));
  BOOST_TEST(!object_from_protobuf(envelope("v1", "", namespace_raw())));
  // The kind as a varint instead of a string: no kind.
  BOOST_TEST(!object_from_protobuf(std::string("k8s\0", 4) +
                                   field(1, field(1, "v1") + number_field(2, 7)) +
                                   field(2, namespace_raw())));
}

BOOST_AUTO_TEST_CASE(truncated_and_garbage_bodies_are_refused) {
  const std::string good = envelope("policy/v1", "Eviction", eviction_raw());
  BOOST_REQUIRE(object_from_protobuf(good));
  // Cut inside the last field of the envelope.
  BOOST_TEST(!object_from_protobuf(good.substr(0, good.size() - 1)));
  // Cut inside typeMeta.
  BOOST_TEST(!object_from_protobuf(good.substr(0, 10)));
  // A well-framed envelope around a truncated Eviction.
  std::string raw = eviction_raw();
  BOOST_TEST(
      !object_from_protobuf(envelope("policy/v1", "Eviction", raw.substr(0, raw.size() - 2))));
  // A length beyond the body.
  BOOST_TEST(
      !object_from_protobuf(std::string("k8s\0", 4) + varint(1 << 3 | 2) + varint(1000) + "ab"));
  // A varint that never ends.
  BOOST_TEST(!object_from_protobuf(std::string("k8s\0", 4) + std::string(20, '\xff')));
  // Garbage after the message, behind a zero tag.
  BOOST_TEST(!object_from_protobuf(good + std::string(1, '\0') + "garbage"));
  // Wire types 6 and 7 do not exist.
  BOOST_TEST(!object_from_protobuf(good + varint(9 << 3 | 6)));
  BOOST_TEST(!object_from_protobuf(good + varint(9 << 3 | 7)));
}

BOOST_AUTO_TEST_CASE(nesting_is_bounded) {
  const std::string good = envelope("v1", "Namespace", namespace_raw());
  // Unknown field 9 as groups (wire types 3 and 4) nested 1,000 deep, properly closed: the
  // parser stops descending instead of recursing 1,000 times.
  std::string deep;
  for (int i = 0; i < 1000; ++i)
    deep += varint(9 << 3 | 3);
  for (int i = 0; i < 1000; ++i)
    deep += varint(9 << 3 | 4);
  BOOST_TEST(!object_from_protobuf(good + deep));
  // Two levels of unknown groups are simply skipped.
  BOOST_TEST(bool(object_from_protobuf(good + varint(9 << 3 | 3) + varint(10 << 3 | 3) +
                                       varint(10 << 3 | 4) + varint(9 << 3 | 4))));
}

BOOST_AUTO_TEST_CASE(kubectl_auth_reviews_decode_to_their_specs) {
  // SelfSubjectAccessReview: 2 spec { 1 resourceAttributes {1 namespace, 2 verb, 3 group,
  // 5 resource, 6 subresource, 7 name} | 2 nonResourceAttributes {1 path, 2 verb} }.
  auto resource = object_from_protobuf(envelope(
      "authorization.k8s.io/v1", "SelfSubjectAccessReview",
      field(2, field(1, field(1, "team-a") + field(2, "create") + field(3, "") +
                            field(5, "pods") + field(6, "exec") + field(7, "web")))));
  BOOST_TEST_REQUIRE(resource.has_value());
  BOOST_TEST((*resource)["kind"] == "SelfSubjectAccessReview");
  const json& a = (*resource)["spec"]["resourceAttributes"];
  BOOST_TEST(a["namespace"] == "team-a");
  BOOST_TEST(a["verb"] == "create");
  BOOST_TEST(a["group"] == "");
  BOOST_TEST(a["resource"] == "pods");
  BOOST_TEST(a["subresource"] == "exec");
  BOOST_TEST(a["name"] == "web");
  auto path = object_from_protobuf(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview",
                                            field(2, field(2, field(1, "/version") + field(2, "get")))));
  BOOST_TEST_REQUIRE(path.has_value());
  BOOST_TEST((*path)["spec"]["nonResourceAttributes"]["path"] == "/version");
  BOOST_TEST(!(*path)["spec"].contains("resourceAttributes"));
  // SelfSubjectRulesReview: 2 spec { 1 namespace }; SelfSubjectReview: metadata only.
  auto rules = object_from_protobuf(
      envelope("authorization.k8s.io/v1", "SelfSubjectRulesReview", field(2, field(1, "team-a"))));
  BOOST_TEST_REQUIRE(rules.has_value());
  BOOST_TEST((*rules)["spec"]["namespace"] == "team-a");
  auto self = object_from_protobuf(envelope("authentication.k8s.io/v1", "SelfSubjectReview", ""));
  BOOST_TEST_REQUIRE(self.has_value());
  BOOST_TEST((*self)["kind"] == "SelfSubjectReview");
  // A truncated review is refused like any other body.
  BOOST_TEST(!object_from_protobuf(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview",
                                            field(2, "\x0a\x05te")))
                  .has_value());
}
