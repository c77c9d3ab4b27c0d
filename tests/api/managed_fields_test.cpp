// Tests api/managed_fields.cpp: field sets as Kubernetes records them, server-side apply
// (merge, prune, conflicts, force) and ownership after updates, with Kubernetes' wording.
#include <boost/test/unit_test.hpp>

#include "api/managed_fields.hpp"
#include "messages/defaults.hpp"

using namespace capstan;
using api::apply_conflicts;
using api::apply_error;
using api::apply_result;
using api::managed_fields;
using messages::json;
using messages::object_kind;
using messages::timestamp;

namespace {

const timestamp t1{1764582000};  // 2025-12-01T09:40:00Z
const timestamp t2{1764582100};
const timestamp t3{1764582200};

json j(const std::string& text) {
  return json::parse(text);
}

// The FieldsV1 of `manager`'s entry for `operation` (and `subresource`); null when none.
json fields_of(const managed_fields& mf, const std::string& manager,
               const std::string& operation = "Apply", const std::string& subresource = "") {
  for (const auto& e : mf)
    if (e.manager == manager && e.operation == operation && e.subresource == subresource)
      return json::parse(e.fields_v1.text);
  return nullptr;
}

const messages::managed_fields_entry* entry(const managed_fields& mf, const std::string& manager,
                                            const std::string& operation = "Apply") {
  for (const auto& e : mf)
    if (e.manager == manager && e.operation == operation)
      return &e;
  return nullptr;
}

apply_result applied(const api::apply_outcome& outcome) {
  if (auto* c = std::get_if<apply_conflicts>(&outcome))
    BOOST_FAIL("unexpected conflicts: " << c->message());
  if (auto* e = std::get_if<apply_error>(&outcome))
    BOOST_FAIL("unexpected error: " << e->message);
  return std::get<apply_result>(outcome);
}

std::string conflict_message(const api::apply_outcome& outcome) {
  auto* c = std::get_if<apply_conflicts>(&outcome);
  BOOST_REQUIRE_MESSAGE(c, "expected conflicts");
  return c->message();
}

// What the API server would store: the applied object decoded, defaulted and encoded again.
json stored(const json& object) {
  messages::field_errors errors;
  auto decoded = messages::object_from_json(object, errors);
  BOOST_REQUIRE(decoded);
  for (const auto& e : errors)
    BOOST_TEST_MESSAGE("decode: " << e.to_string());
  BOOST_REQUIRE(errors.empty());
  messages::apply_defaults(*decoded);
  return messages::to_json(*decoded);
}

std::string rc(const std::string& spec_extra, const std::string& labels = R"({"app":"web"})",
               const std::string& image = "nginx") {
  return R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web","labels":)" +
         labels +
         R"(},"spec":{"selector":{"app":"web"},"template":{"metadata":{"labels":{"app":"web"}},)" +
         R"("spec":{"containers":[{"name":"app","image":")" + image + R"("}]}})" + spec_extra +
         "}}";
}

std::string pod(const std::string& containers, const std::string& labels = R"({"app":"web"})") {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":)" + labels +
         R"(},"spec":{"containers":)" + containers + "}}";
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_apply_entry_records_exactly_the_fields_of_the_configuration) {
  struct case_t {
    const char* what;
    object_kind kind;
    std::string config;
    std::string fields_v1;
  };
  const std::vector<case_t> cases = {
      {"labels map and containers keyed by name", object_kind::pod,
       pod(R"([{"name":"nginx","image":"nginx"}])"),
       R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}})"},
      {"container ports keyed by containerPort and the defaulted protocol", object_kind::pod,
       pod(R"([{"name":"a","ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}]}])",
           "{}"),
       R"({"f:metadata":{"f:labels":{}},"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{},"f:ports":{"k:{\"containerPort\":53,\"protocol\":\"UDP\"}":{".":{},"f:containerPort":{},"f:protocol":{}},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}})"},
      {"env by name, volumeMounts by mountPath, command atomic, resources by key", object_kind::pod,
       pod(R"([{"name":"a","command":["sh","-c"],"env":[{"name":"X","value":"1"}],"volumeMounts":[{"name":"d","mountPath":"/data"}],"resources":{"limits":{"cpu":"1"}}}])",
           "{}"),
       R"({"f:metadata":{"f:labels":{}},"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:command":{},"f:env":{"k:{\"name\":\"X\"}":{".":{},"f:name":{},"f:value":{}}},"f:name":{},"f:resources":{"f:limits":{"f:cpu":{}}},"f:volumeMounts":{"k:{\"mountPath\":\"/data\"}":{".":{},"f:mountPath":{},"f:name":{}}}}}}})"},
      {"volumes by name, an empty struct is a leaf, nodeSelector atomic", object_kind::pod,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}],"volumes":[{"name":"d","emptyDir":{}}],"nodeSelector":{"zone":"a"}}})",
       R"({"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{}}},"f:nodeSelector":{},"f:volumes":{"k:{\"name\":\"d\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}})"},
      {"service ports keyed by port and protocol, selector atomic", object_kind::service,
       R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}})",
       R"({"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{},"f:targetPort":{}}},"f:selector":{}}})"},
      {"replicas, atomic selector, template labels", object_kind::replication_controller,
       rc(R"(,"replicas":3)"),
       R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}}})"},
      {"ownerReferences by uid, each owned whole", object_kind::pod,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"web","uid":"u1"}]},"spec":{"containers":[{"name":"a"}]}})",
       R"({"f:metadata":{"f:ownerReferences":{"k:{\"uid\":\"u1\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{}}}}})"},
      {"server-owned metadata and status are never owned", object_kind::pod,
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","uid":"x","resourceVersion":"7"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running"}})",
       R"({"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:name":{}}}}})"},
      {"annotations owned key by key", object_kind::node,
       R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n","annotations":{"a":"b"}},"spec":{"unschedulable":true}})",
       R"({"f:metadata":{"f:annotations":{"f:a":{}}},"f:spec":{"f:unschedulable":{}}})"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      auto got = api::fields_v1_of(c.kind, j(c.config));
      BOOST_REQUIRE(std::holds_alternative<json>(got));
      BOOST_TEST(std::get<json>(got).dump() == c.fields_v1);
    }
  }
}

BOOST_AUTO_TEST_CASE(configurations_the_schema_cannot_take_are_refused_with_smd_wording) {
  struct case_t {
    const char* what;
    std::string config;
    std::string message;
  };
  const std::vector<case_t> cases = {
      {"unknown field", pod(R"([{"name":"a","colour":"red"}])"),
       R"(failed to create typed patch object (/p; /v1, Kind=Pod): .spec.containers[name="a"].colour: field not declared in schema)"},
      {"container without a name", pod(R"([{"image":"nginx"}])"),
       R"(failed to create typed patch object (/p; /v1, Kind=Pod): .spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn't have default values for any key fields))"},
      {"two containers of one name", pod(R"([{"name":"a"},{"name":"a"}])"),
       R"(failed to create typed patch object (/p; /v1, Kind=Pod): .spec.containers: duplicate entries for key [name="a"])"},
      {"a list where a struct belongs",
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":[]})",
       R"(failed to create typed patch object (/p; /v1, Kind=Pod): .spec: expected map, got [])"},
      {"another group", R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"p"}})",
       "invalid object type: apps/v1, Kind=Deployment"},
      {"another kind", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"p"}})",
       "invalid object type: /v1, Kind=Service"},
      {"managedFields in the configuration",
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":[]},"spec":{"containers":[{"name":"a"}]}})",
       "metadata.managedFields must be nil"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      auto outcome = api::apply(object_kind::pod, nullptr, {}, j(c.config), "kubectl", false, t1);
      auto* e = std::get_if<apply_error>(&outcome);
      BOOST_REQUIRE(e);
      BOOST_TEST(e->message == c.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(create_by_apply_and_the_same_apply_again_is_a_no_op) {
  auto created = applied(api::apply(object_kind::replication_controller, nullptr, {},
                                    j(rc(R"(,"replicas":3)")), "kubectl", false, t1));
  BOOST_TEST(created.object_changed);
  BOOST_TEST(created.object["spec"]["replicas"] == 3);
  BOOST_TEST(created.object["metadata"]["labels"]["app"] == "web");
  BOOST_REQUIRE(created.managed.size() == 1u);
  const auto& e = created.managed[0];
  BOOST_TEST(e.manager == "kubectl");
  BOOST_TEST(e.operation == "Apply");
  BOOST_TEST(e.api_version == "v1");
  BOOST_TEST(e.fields_type == "FieldsV1");
  BOOST_TEST(e.time.seconds == t1.seconds);
  BOOST_TEST(e.subresource.empty());
  BOOST_TEST(fields_of(created.managed, "kubectl").dump() ==
             std::get<json>(
                 api::fields_v1_of(object_kind::replication_controller, j(rc(R"(,"replicas":3)"))))
                 .dump());

  // The stored object carries defaults (imagePullPolicy, restartPolicy, ...) nobody owns.
  json live = stored(created.object);
  auto again = applied(api::apply(object_kind::replication_controller, &live, created.managed,
                                  j(rc(R"(,"replicas":3)")), "kubectl", false, t2));
  BOOST_TEST(!again.object_changed);
  BOOST_REQUIRE(again.managed.size() == 1u);
  BOOST_TEST(again.managed[0].time.seconds == t1.seconds);  // unchanged object: the time stays
  BOOST_TEST(again.managed[0].fields_v1.text == created.managed[0].fields_v1.text);
  BOOST_TEST(stored(again.object).dump() == live.dump());
}

BOOST_AUTO_TEST_CASE(a_field_the_applier_stops_applying_is_removed_unless_another_owns_it) {
  auto first = applied(api::apply(
      object_kind::pod, nullptr, {},
      j(pod(R"([{"name":"a","image":"nginx"}])", R"({"app":"web","tier":"front","team":"x"})")),
      "ops", false, t1));
  json live = stored(first.object);
  // Another applier shares `team` with the same value.
  auto shared = applied(api::apply(
      object_kind::pod, &live, first.managed,
      j(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"team":"x"}}})"),
      "team-bot", false, t2));
  BOOST_TEST(!shared.object_changed);
  live = stored(shared.object);

  auto second = applied(api::apply(object_kind::pod, &live, shared.managed,
                                   j(pod(R"([{"name":"a","image":"nginx"}])", R"({"app":"web"})")),
                                   "ops", false, t3));
  BOOST_TEST(second.object_changed);
  const json& labels = second.object["metadata"]["labels"];
  BOOST_TEST(labels.contains("app"));
  BOOST_TEST(!labels.contains("tier"));  // only ops owned it: removed
  BOOST_TEST(labels.contains("team"));   // team-bot owns it too: kept
  BOOST_TEST(fields_of(second.managed, "ops")["f:metadata"].dump() ==
             R"({"f:labels":{"f:app":{}}})");
  BOOST_TEST(fields_of(second.managed, "team-bot").dump() ==
             R"({"f:metadata":{"f:labels":{"f:team":{}}}})");
  BOOST_TEST(entry(second.managed, "ops")->time.seconds == t3.seconds);
}

BOOST_AUTO_TEST_CASE(a_container_the_applier_stops_applying_goes_with_its_fields) {
  auto first = applied(api::apply(
      object_kind::pod, nullptr, {},
      j(pod(
          R"([{"name":"a","image":"nginx"},{"name":"b","image":"redis","env":[{"name":"X","value":"1"}]}])")),
      "ops", false, t1));
  json live = stored(first.object);
  auto second = applied(api::apply(object_kind::pod, &live, first.managed,
                                   j(pod(R"([{"name":"a","image":"nginx"}])")), "ops", false, t2));
  BOOST_REQUIRE(second.object["spec"]["containers"].size() == 1u);
  BOOST_TEST(second.object["spec"]["containers"][0]["name"] == "a");
}

BOOST_AUTO_TEST_CASE(two_appliers_conflict_on_a_value_and_force_takes_the_field) {
  auto first = applied(api::apply(object_kind::replication_controller, nullptr, {},
                                  j(rc(R"(,"replicas":3)")), "ops", false, t1));
  json live = stored(first.object);
  std::string scale_to_5 =
      R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":5}})";

  auto refused = api::apply(object_kind::replication_controller, &live, first.managed,
                            j(scale_to_5), "autoscaler", false, t2);
  BOOST_TEST(conflict_message(refused) ==
             R"(Apply failed with 1 conflict: conflict with "ops": .spec.replicas)");
  const auto& c = std::get<apply_conflicts>(refused).conflicts;
  BOOST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].manager == R"("ops")");
  BOOST_TEST(c[0].field == ".spec.replicas");

  // The same value is no conflict: both own it.
  std::string keep_3 =
      R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":3}})";
  auto agreed = applied(api::apply(object_kind::replication_controller, &live, first.managed,
                                   j(keep_3), "autoscaler", false, t2));
  BOOST_TEST(!agreed.object_changed);
  BOOST_TEST(fields_of(agreed.managed, "ops")["f:spec"].contains("f:replicas"));
  BOOST_TEST(fields_of(agreed.managed, "autoscaler").dump() == R"({"f:spec":{"f:replicas":{}}})");

  auto forced = applied(api::apply(object_kind::replication_controller, &live, first.managed,
                                   j(scale_to_5), "autoscaler", true, t2));
  BOOST_TEST(forced.object_changed);
  BOOST_TEST(forced.object["spec"]["replicas"] == 5);
  BOOST_TEST(!fields_of(forced.managed, "ops")["f:spec"].contains("f:replicas"));
  BOOST_TEST(fields_of(forced.managed, "autoscaler").dump() == R"({"f:spec":{"f:replicas":{}}})");
  BOOST_TEST(entry(forced.managed, "autoscaler")->time.seconds == t2.seconds);

  // An entry left without fields is dropped.
  json shared = stored(agreed.object);
  auto taken = applied(api::apply(object_kind::replication_controller, &shared, agreed.managed,
                                  j(scale_to_5), "scaler", true, t3));
  BOOST_TEST(!entry(taken.managed, "autoscaler"));
  BOOST_TEST(entry(taken.managed, "ops"));
}

BOOST_AUTO_TEST_CASE(several_conflicts_are_listed_by_manager_as_kubernetes_does) {
  auto first = applied(api::apply(object_kind::replication_controller, nullptr, {},
                                  j(rc(R"(,"replicas":3)")), "ops", false, t1));
  json live = stored(first.object);
  // kubectl-edit changes the image through an update.
  json edited = live;
  edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  auto managed = api::record_update(object_kind::replication_controller, &live, edited,
                                    first.managed, "kubectl-edit", "", t2);
  auto outcome =
      api::apply(object_kind::replication_controller, &edited, managed,
                 j(rc(R"(,"replicas":4)", R"({"app":"api"})", "nginx:3")), "deployer", false, t3);
  BOOST_TEST(conflict_message(outcome) ==
             "Apply failed with 3 conflicts: conflicts with \"kubectl-edit\" using v1:\n"
             "- .spec.template.spec.containers[name=\"app\"].image\n"
             "conflicts with \"ops\":\n"
             "- .metadata.labels.app\n"
             "- .spec.replicas");
}

BOOST_AUTO_TEST_CASE(client_side_update_then_server_side_apply_conflicts_on_replicas) {
  json created = stored(j(rc(R"(,"replicas":3)")));
  auto managed = api::record_update(object_kind::replication_controller, nullptr, created, {},
                                    "kubectl-client-side-apply", "", t1);
  BOOST_REQUIRE(managed.size() == 1u);
  BOOST_TEST(managed[0].operation == "Update");
  BOOST_TEST(managed[0].time.seconds == t1.seconds);

  auto outcome = api::apply(
      object_kind::replication_controller, &created, managed,
      j(R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":5}})"),
      "my-ssa", false, t2);
  BOOST_TEST(
      conflict_message(outcome) ==
      R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.replicas)");
}

BOOST_AUTO_TEST_CASE(a_scale_through_the_subresource_is_named_with_it_in_a_conflict) {
  json created = stored(j(rc(R"(,"replicas":3)")));
  auto managed = api::record_update(object_kind::replication_controller, nullptr, created, {},
                                    "kubectl-create", "", t1);
  json scaled = created;
  scaled["spec"]["replicas"] = 4;
  managed = api::record_update(object_kind::replication_controller, &created, scaled, managed,
                               "kubectl", "scale", t2);
  BOOST_TEST(fields_of(managed, "kubectl", "Update", "scale").dump() ==
             R"({"f:spec":{"f:replicas":{}}})");
  auto outcome = api::apply(
      object_kind::replication_controller, &scaled, managed,
      j(R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":5}})"),
      "my-ssa", false, t3);
  BOOST_TEST(
      conflict_message(outcome) ==
      R"(Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using v1: .spec.replicas)");
}

BOOST_AUTO_TEST_CASE(kubectl_takes_over_what_its_last_applied_configuration_still_says) {
  // kubectl apply (client side) created it; the annotation holds the applied manifest.
  json manifest = j(rc(R"(,"replicas":3)"));
  json created = manifest;
  created["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
      manifest.dump() + "\n";
  created = stored(created);
  auto managed = api::record_update(object_kind::replication_controller, nullptr, created, {},
                                    "kubectl-client-side-apply", "", t1);

  auto upgraded = applied(api::apply(object_kind::replication_controller, &created, managed,
                                     j(rc(R"(,"replicas":5)")), "kubectl", false, t2));
  BOOST_TEST(upgraded.object["spec"]["replicas"] == 5);
  BOOST_TEST(!fields_of(managed, "kubectl-client-side-apply", "Update")["f:spec"].is_null());
  BOOST_TEST(!fields_of(upgraded.managed, "kubectl-client-side-apply", "Update")["f:spec"].contains(
      "f:replicas"));
  std::string annotation =
      upgraded
          .object["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"];
  BOOST_TEST(json::parse(annotation)["spec"]["replicas"] == 5);

  // Another manager gets no such pass.
  auto other = api::apply(object_kind::replication_controller, &created, managed,
                          j(rc(R"(,"replicas":5)")), "my-ssa", false, t2);
  BOOST_TEST(std::holds_alternative<apply_conflicts>(other));
}

BOOST_AUTO_TEST_CASE(keyed_list_merge_leaves_another_managers_container_untouched) {
  auto first =
      applied(api::apply(object_kind::pod, nullptr, {},
                         j(pod(R"([{"name":"app","image":"nginx:1"}])")), "ops", false, t1));
  json live = stored(first.object);
  // A sidecar injector adds its container with an update.
  json injected = live;
  injected["spec"]["containers"].push_back({{"name", "proxy"}, {"image", "envoy"}});
  auto managed =
      api::record_update(object_kind::pod, &live, injected, first.managed, "injector", "", t2);
  BOOST_TEST(
      fields_of(managed, "injector", "Update").dump() ==
      R"({"f:spec":{"f:containers":{"k:{\"name\":\"proxy\"}":{".":{},"f:image":{},"f:name":{}}}}})");
  injected = stored(injected);

  auto second =
      applied(api::apply(object_kind::pod, &injected, managed,
                         j(pod(R"([{"name":"app","image":"nginx:2"}])")), "ops", false, t3));
  const json& containers = second.object["spec"]["containers"];
  BOOST_REQUIRE(containers.size() == 2u);
  BOOST_TEST(containers[0]["name"] == "app");
  BOOST_TEST(containers[0]["image"] == "nginx:2");
  BOOST_TEST(containers[1]["name"] == "proxy");
  BOOST_TEST(containers[1]["image"] == "envoy");
  BOOST_TEST(fields_of(second.managed, "injector", "Update") ==
             fields_of(managed, "injector", "Update"));

  // Live-only items keep their place; the configuration's new ones follow.
  auto third = applied(
      api::apply(object_kind::pod, &injected, managed,
                 j(pod(R"([{"name":"app","image":"nginx:1"},{"name":"log","image":"fluentd"}])")),
                 "ops", false, t3));
  std::vector<std::string> names;
  for (const auto& c : third.object["spec"]["containers"])
    names.push_back(c["name"]);
  BOOST_TEST(names == (std::vector<std::string>{"app", "proxy", "log"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_atomic_list_is_owned_and_replaced_whole) {
  auto first =
      applied(api::apply(object_kind::pod, nullptr, {},
                         j(pod(R"([{"name":"app","image":"busybox","command":["sleep","3600"]}])")),
                         "ops", false, t1));
  json live = stored(first.object);
  std::string other =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","command":["sleep"]}]}})";
  auto refused =
      api::apply(object_kind::pod, &live, first.managed, j(other), "debugger", false, t2);
  BOOST_TEST(
      conflict_message(refused) ==
      R"(Apply failed with 1 conflict: conflict with "ops": .spec.containers[name="app"].command)");

  auto forced =
      applied(api::apply(object_kind::pod, &live, first.managed, j(other), "debugger", true, t2));
  BOOST_TEST(forced.object["spec"]["containers"][0]["command"] == json::array({"sleep"}));
  json ops = fields_of(forced.managed, "ops");
  BOOST_TEST(!ops["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"].contains("f:command"));
  BOOST_TEST(ops["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"].contains("f:image"));
}

BOOST_AUTO_TEST_CASE(labels_are_owned_key_by_key) {
  auto first =
      applied(api::apply(object_kind::pod, nullptr, {},
                         j(pod(R"([{"name":"a"}])", R"({"app":"web"})")), "ops", false, t1));
  json live = stored(first.object);
  auto second = applied(api::apply(
      object_kind::pod, &live, first.managed,
      j(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"tier":"front"}}})"),
      "labeller", false, t2));
  const json& labels = second.object["metadata"]["labels"];
  BOOST_TEST(labels["app"] == "web");
  BOOST_TEST(labels["tier"] == "front");
  BOOST_TEST(fields_of(second.managed, "labeller").dump() ==
             R"({"f:metadata":{"f:labels":{"f:tier":{}}}})");
  BOOST_TEST(fields_of(second.managed, "ops") == fields_of(first.managed, "ops"));
}

BOOST_AUTO_TEST_CASE(a_create_records_what_kubectl_create_sent_as_kubernetes_shows_it) {
  json created = j(pod(R"([{"name":"nginx","image":"nginx"}])", R"({"run":"nginx"})"));
  auto managed =
      api::record_update(object_kind::pod, nullptr, created, {}, "kubectl-create", "", t1);
  BOOST_REQUIRE(managed.size() == 1u);
  BOOST_TEST(managed[0].manager == "kubectl-create");
  BOOST_TEST(managed[0].operation == "Update");
  BOOST_TEST(managed[0].api_version == "v1");
  BOOST_TEST(managed[0].time.seconds == t1.seconds);
  // New maps and lists carry "." (the create made them); spec and containers existed empty.
  BOOST_TEST(
      fields_of(managed, "kubectl-create", "Update").dump() ==
      R"({"f:metadata":{"f:labels":{".":{},"f:run":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}})");
}

BOOST_AUTO_TEST_CASE(an_update_takes_the_fields_it_changes_from_their_owners) {
  json created = stored(j(pod(R"([{"name":"a","image":"nginx:1"}])", R"({"app":"web","x":"y"})")));
  auto managed =
      api::record_update(object_kind::pod, nullptr, created, {}, "kubectl-create", "", t1);
  json edited = created;
  edited["spec"]["containers"][0]["image"] = "nginx:2";
  edited["metadata"]["labels"].erase("x");
  auto after_edit =
      api::record_update(object_kind::pod, &created, edited, managed, "kubectl-edit", "", t2);
  BOOST_TEST(fields_of(after_edit, "kubectl-edit", "Update").dump() ==
             R"({"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{"f:image":{}}}}})");
  json create_fields = fields_of(after_edit, "kubectl-create", "Update");
  BOOST_TEST(!create_fields["f:spec"]["f:containers"]["k:{\"name\":\"a\"}"].contains("f:image"));
  BOOST_TEST(!create_fields["f:metadata"]["f:labels"].contains("f:x"));  // removed: nobody's
  BOOST_TEST(create_fields["f:metadata"]["f:labels"].contains("f:app"));
  BOOST_TEST(entry(after_edit, "kubectl-create", "Update")->time.seconds == t1.seconds);
  BOOST_TEST(entry(after_edit, "kubectl-edit", "Update")->time.seconds == t2.seconds);

  // Setting the same values again gains nothing and leaves the time alone.
  auto same =
      api::record_update(object_kind::pod, &edited, edited, after_edit, "kubectl-edit", "", t3);
  BOOST_TEST(entry(same, "kubectl-edit", "Update")->time.seconds == t2.seconds);
  // Server-set metadata never becomes anyone's.
  json stamped = edited;
  stamped["metadata"]["uid"] = "u";
  stamped["metadata"]["resourceVersion"] = "9";
  stamped["metadata"]["generation"] = 2;
  auto server =
      api::record_update(object_kind::pod, &edited, stamped, after_edit, "capstan", "", t3);
  BOOST_TEST(!entry(server, "capstan", "Update"));
}

BOOST_AUTO_TEST_CASE(status_is_owned_only_through_the_status_subresource) {
  json created = stored(j(pod(R"([{"name":"a","image":"nginx"}])")));
  auto managed =
      api::record_update(object_kind::pod, nullptr, created, {}, "kubectl-create", "", t1);
  json running = created;
  running["status"]["phase"] = "Running";
  running["metadata"]["labels"]["sneaky"] = "1";
  auto by_status =
      api::record_update(object_kind::pod, &created, running, managed, "kubelet", "status", t2);
  BOOST_TEST(fields_of(by_status, "kubelet", "Update", "status").dump() ==
             R"({"f:status":{"f:phase":{}}})");
  auto by_main =
      api::record_update(object_kind::pod, &created, running, managed, "kubectl", "", t2);
  BOOST_TEST(fields_of(by_main, "kubectl", "Update").dump() ==
             R"({"f:metadata":{"f:labels":{"f:sneaky":{}}}})");
}

BOOST_AUTO_TEST_CASE(objects_nobody_managed_are_adopted_on_apply_but_not_on_update) {
  json legacy = stored(j(rc(R"(,"replicas":3)")));
  json scaled = legacy;
  scaled["spec"]["replicas"] = 4;
  BOOST_TEST(api::record_update(object_kind::replication_controller, &legacy, scaled, {}, "kubectl",
                                "", t1)
                 .empty());

  auto refused = api::apply(
      object_kind::replication_controller, &legacy, {},
      j(R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":5}})"),
      "ops", false, t2);
  BOOST_TEST(
      conflict_message(refused) ==
      R"(Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .spec.replicas)");
  auto adopted = applied(api::apply(
      object_kind::replication_controller, &legacy, {},
      j(R"({"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"web"},"spec":{"replicas":3}})"),
      "ops", false, t2));
  BOOST_TEST(entry(adopted.managed, "before-first-apply", "Update"));
  BOOST_TEST(entry(adopted.managed, "ops"));
}

BOOST_AUTO_TEST_CASE(entries_are_ordered_apply_first_then_by_time) {
  json created = stored(j(pod(R"([{"name":"a","image":"nginx"}])")));
  auto managed = api::record_update(object_kind::pod, nullptr, created, {}, "zz-create", "", t1);
  json labelled = created;
  labelled["metadata"]["labels"]["b"] = "1";
  managed = api::record_update(object_kind::pod, &created, labelled, managed, "aa-label", "", t2);
  auto result = applied(api::apply(
      object_kind::pod, &labelled, managed,
      j(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"c":"2"}}})"), "mm",
      false, t3));
  std::vector<std::string> order;
  for (const auto& e : result.managed)
    order.push_back(e.operation + " " + e.manager);
  BOOST_TEST(order == (std::vector<std::string>{"Apply mm", "Update zz-create", "Update aa-label"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(more_than_ten_updaters_fold_the_oldest_into_ancient_changes) {
  json object = stored(j(pod(R"([{"name":"a","image":"nginx"}])", "{}")));
  auto managed = api::record_update(object_kind::pod, nullptr, object, {}, "creator", "", t1);
  for (int i = 0; i < 11; ++i) {
    json next = object;
    next["metadata"]["labels"]["l" + std::to_string(i)] = "v";
    managed =
        api::record_update(object_kind::pod, &object, next, managed,
                           "labeller-" + std::to_string(i), "", timestamp{t1.seconds + 10 + i});
    object = next;
  }
  BOOST_TEST(managed.size() == api::max_update_managers);
  BOOST_REQUIRE(entry(managed, "ancient-changes", "Update"));
  BOOST_TEST(!entry(managed, "creator", "Update"));
  // The 11th updater folded creator and labeller-0, the 12th the bucket and labeller-1.
  BOOST_TEST(!entry(managed, "labeller-0", "Update"));
  BOOST_TEST(!entry(managed, "labeller-1", "Update"));
  BOOST_TEST(entry(managed, "labeller-2", "Update"));
  json ancient = fields_of(managed, "ancient-changes", "Update");
  BOOST_TEST(ancient["f:spec"].is_object());  // from creator
  BOOST_TEST(ancient["f:metadata"]["f:labels"].contains("f:l0"));
  BOOST_TEST(ancient["f:metadata"]["f:labels"].contains("f:l1"));
  BOOST_TEST(entry(managed, "ancient-changes", "Update")->time.seconds == t1.seconds + 11);
}

BOOST_AUTO_TEST_CASE(an_empty_managed_fields_list_in_a_body_asks_for_a_reset) {
  BOOST_TEST(api::resets_managed_fields(j(R"({"metadata":{"managedFields":[]}})")));
  BOOST_TEST(api::resets_managed_fields(j(R"({"metadata":{"managedFields":[{}]}})")));
  BOOST_TEST(!api::resets_managed_fields(j(R"({"metadata":{"name":"x"}})")));
  BOOST_TEST(!api::resets_managed_fields(j(R"({"metadata":{"managedFields":null}})")));
  BOOST_TEST(!api::resets_managed_fields(
      j(R"({"metadata":{"managedFields":[{"manager":"m","operation":"Update"}]}})")));
}
