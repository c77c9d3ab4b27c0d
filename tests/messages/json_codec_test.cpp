// Tests messages/json_codec.cpp: Kubernetes JSON shapes, omitempty, strict decoding, output
// text that cannot throw, linear encoding of large maps.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "messages/json_codec.hpp"
#include "tests/messages/fill_fields.hpp"
#include "tests/sanitizers/budget.hpp"

using namespace capstan::messages;

BOOST_AUTO_TEST_CASE(every_field_of_every_kind_round_trips_through_json) {
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    auto kind = static_cast<object_kind>(k);
    BOOST_TEST_INFO("kind " << info(kind).name);
    any_object original = capstan::test::filled_object(kind);
    json encoded = to_json(original);
    field_errors errors;
    auto decoded = object_from_json(json::parse(encoded.dump()), errors);
    BOOST_TEST(errors.empty());
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(to_json(*decoded).dump() == encoded.dump());
  }
}

BOOST_AUTO_TEST_CASE(encoding_uses_kubernetes_names_and_omits_zero_values) {
  service s;
  s.metadata.name = "frontend";
  s.spec.type = "NodePort";
  s.spec.ports.push_back({"", "TCP", 80, int_or_string::of(80), 30001});
  json j = to_json(s);
  BOOST_TEST(j["kind"] == "Service");
  BOOST_TEST(j["apiVersion"] == "v1");
  BOOST_TEST(j["spec"]["ports"][0]["nodePort"] == 30001);
  BOOST_TEST(j["spec"]["ports"][0]["targetPort"] == 80);
  BOOST_TEST(!j["spec"]["ports"][0].contains("name"));
  BOOST_TEST(!j["metadata"].contains("labels"));
  BOOST_TEST(!j["spec"].contains("clusterIP"));
  // Named target ports are strings.
  s.spec.ports[0].target_port = int_or_string::of("http");
  BOOST_TEST(to_json(s)["spec"]["ports"][0]["targetPort"] == "http");
  // Fields Kubernetes always writes are written even at zero.
  container_status cs;
  json csj = to_json_part(cs);
  BOOST_TEST(csj["ready"] == false);
  BOOST_TEST(csj["restartCount"] == 0);
  replication_controller rc;
  rc.spec.replicas = 0;
  BOOST_TEST(to_json(rc)["spec"]["replicas"] == 0);
}

BOOST_AUTO_TEST_CASE(timestamps_are_rfc3339_and_null_reads_as_unset) {
  pod p;
  p.metadata.name = "x";
  p.metadata.creation_timestamp = {1435744800};
  BOOST_TEST(to_json(p)["metadata"]["creationTimestamp"] == "2015-07-01T10:00:00Z");
  field_errors errors;
  auto back = object_from_json(
      json::parse(
          R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null},"spec":{"containers":[]}})"),
      errors);
  BOOST_TEST(errors.empty());
  BOOST_TEST(std::get<pod>(*back).metadata.creation_timestamp.empty());
  auto offset = timestamp::parse_rfc3339("2015-07-01T18:00:00+08:00");
  BOOST_REQUIRE(offset.has_value());
  BOOST_TEST(offset->seconds == 1435744800);
  BOOST_TEST(!timestamp::parse_rfc3339("2015-13-01T00:00:00Z").has_value());
  BOOST_TEST(!timestamp::parse_rfc3339("yesterday").has_value());
}

BOOST_AUTO_TEST_CASE(strict_decoding_reports_every_problem_with_its_path) {
  const char* text = R"({
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {"name": "p", "labels": {"version": 1}},
    "spec": {
      "contianers": [],
      "containers": [{"name": "c", "image": 5, "ports": [{"containerPort": "80"}]}],
      "restartPolicy": true,
      "nodeSelector": "zone=test"
    }
  })";
  field_errors errors;
  auto decoded = object_from_json(json::parse(text), errors);
  BOOST_REQUIRE(decoded.has_value());
  std::vector<std::string> fields;
  for (const auto& e : errors)
    fields.push_back(e.field);
  auto has = [&](const std::string& f) {
    return std::find(fields.begin(), fields.end(), f) != fields.end();
  };
  BOOST_TEST(errors.size() == 6u);
  BOOST_TEST(has("metadata.labels[version]"));
  BOOST_TEST(has("spec.contianers"));
  BOOST_TEST(has("spec.containers[0].image"));
  BOOST_TEST(has("spec.containers[0].ports[0].containerPort"));
  BOOST_TEST(has("spec.restartPolicy"));
  BOOST_TEST(has("spec.nodeSelector"));
}

BOOST_AUTO_TEST_CASE(kind_and_api_version_are_checked) {
  field_errors errors;
  BOOST_TEST(!object_from_json(json::parse(R"({"apiVersion":"v1"})"), errors).has_value());
  BOOST_TEST(errors.at(0).to_string().find("kind: Required value") == 0);
  errors.clear();
  BOOST_TEST(!object_from_json(json::parse(R"({"apiVersion":"v1","kind":"Deployment"})"), errors));
  BOOST_TEST(errors.at(0).to_string().find("Unsupported value: \"Deployment\"") !=
             std::string::npos);
  errors.clear();
  object_from_json(json::parse(R"({"apiVersion":"apps/v1","kind":"Pod","metadata":{"name":"x"}})"),
                   errors);
  BOOST_TEST(errors.size() == 1u);
  BOOST_TEST(errors.at(0).field == "apiVersion");
}

BOOST_AUTO_TEST_CASE(integers_are_range_checked_and_quantities_accept_numbers) {
  field_errors errors;
  auto o = object_from_json(json::parse(R"({"apiVersion":"v1","kind":"ReplicationController",
      "metadata":{"name":"r"},"spec":{"replicas":4294967296}})"),
                            errors);
  BOOST_TEST(errors.size() == 1u);
  BOOST_TEST(errors.at(0).field == "spec.replicas");
  // Integral doubles beyond any 64-bit integer (and infinities' stand-ins) are refused by range,
  // never converted first (the conversion itself would be undefined).
  for (const char* big : {"6.37889e+26", "-9.3e18", "1e308"}) {
    errors.clear();
    object_from_json(json::parse(std::string(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
        "spec":{"activeDeadlineSeconds":)") + big + "}}"),
                     errors);
    BOOST_TEST_CONTEXT(big) {
      BOOST_TEST(errors.size() == 1u);
      BOOST_TEST(errors.at(0).field == "spec.activeDeadlineSeconds");
    }
  }
  errors.clear();
  auto p = object_from_json(json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":0.5,"memory":134217728}}}]}})"),
                            errors);
  BOOST_TEST(errors.empty());
  const auto& limits = std::get<pod>(*p).spec.containers[0].resources.limits;
  BOOST_TEST(limits.at("cpu").milli() == 500);
  BOOST_TEST(limits.at("memory").value() == 134217728);
}

BOOST_AUTO_TEST_CASE(labels_encode_in_linear_time) {
  // ordered_json's insert searches its members linearly: encoding 100,000 labels through it
  // took ~5 * 10^9 key comparisons.
  pod p;
  p.metadata.name = "p";
  for (int i = 0; i < 100000; ++i)
    p.metadata.labels["l" + std::to_string(i)] = "v";
  auto start = std::chrono::steady_clock::now();
  json encoded = to_json(any_object(p));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(encoded["metadata"]["labels"].size() == 100000u);
  BOOST_TEST(encoded["metadata"]["labels"]["l99999"] == "v");
  BOOST_TEST(seconds < 2.0 * capstan::test::sanitizer_time_factor, "took " << seconds << " s");
}

BOOST_AUTO_TEST_CASE(json_text_never_throws_on_invalid_utf8) {
  // A string from a command-line argument, or stored before input was checked.
  json tree = {{"metadata", {{"labels", {{"app", "web\xff"}}}}}};
  BOOST_CHECK_THROW(tree.dump(), json::type_error);
  BOOST_TEST(json_text(tree) == "{\"metadata\":{\"labels\":{\"app\":\"web\xef\xbf\xbd\"}}}");
}
