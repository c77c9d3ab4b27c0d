// Tests messages/manifest.cpp against the project's examples (the seeds' manifests) and
// against multi-document, List and broken inputs.
#include <boost/test/unit_test.hpp>

#include <map>

#include "messages/json_codec.hpp"
#include "messages/manifest.hpp"

using namespace capstan::messages;

namespace {
const std::string examples = std::string(CAPSTAN_SOURCE_DIR) + "/examples";
}

BOOST_AUTO_TEST_CASE(every_example_parses_and_validates) {
  std::map<std::string, int> counts;
  for (const char* dir : {"guestbook", "nginx", "ops"}) {
    auto set = load_manifests(examples + "/" + dir);
    for (const auto& p : set.problems)
      BOOST_TEST_MESSAGE(p.to_string());
    BOOST_TEST(set.ok());
    counts[dir] = static_cast<int>(set.objects.size());
  }
  BOOST_TEST(counts["guestbook"] == 6);
  BOOST_TEST(counts["nginx"] == 3);
  BOOST_TEST(counts["ops"] == 5);
}

BOOST_AUTO_TEST_CASE(the_guestbook_reads_as_the_seed_describes_it) {
  auto set = load_manifests(examples + "/guestbook");
  BOOST_REQUIRE(set.ok());
  std::map<std::string, const any_object*> by_name;
  for (const auto& o : set.objects)
    by_name[std::string(info(kind_of(o.object)).name) + "/" + meta_of(o.object).name] = &o.object;
  const auto& frontend_svc = std::get<service>(*by_name.at("Service/frontend"));
  BOOST_TEST(frontend_svc.spec.type == "NodePort");
  BOOST_TEST(frontend_svc.spec.ports.at(0).node_port == 30001);
  BOOST_TEST(frontend_svc.spec.ports.at(0).target_port.int_value == 80);  // defaulted to port
  const auto& slave_rc =
      std::get<replication_controller>(*by_name.at("ReplicationController/redis-slave"));
  BOOST_TEST(*slave_rc.spec.replicas == 2);
  BOOST_TEST(slave_rc.spec.template_->spec.containers.at(0).env.at(0).name == "GET_HOSTS_FROM");
  BOOST_TEST(slave_rc.metadata.namespace_ == "default");
  auto limits = load_manifests(examples + "/ops/redis-master-limits.yaml");
  BOOST_REQUIRE(limits.ok());
  const auto& rc = std::get<replication_controller>(limits.objects.at(0).object);
  BOOST_TEST(rc.spec.template_->spec.containers.at(0).resources.limits.at("cpu").milli() == 500);
  BOOST_TEST(rc.spec.template_->spec.containers.at(0).resources.limits.at("memory").value() ==
             134217728);
}

BOOST_AUTO_TEST_CASE(json_written_back_reads_back_identically) {
  for (const char* dir : {"guestbook", "nginx", "ops"}) {
    auto set = load_manifests(examples + "/" + dir);
    for (const auto& o : set.objects) {
      std::string written = to_json(o.object).dump();
      manifest_set again;
      parse_manifest(written, "written.json", again);
      BOOST_TEST_INFO(o.source);
      BOOST_TEST(again.ok());
      BOOST_REQUIRE(again.objects.size() == 1u);
      BOOST_TEST(to_json(again.objects[0].object).dump() == written);
    }
  }
}

BOOST_AUTO_TEST_CASE(multi_document_files_and_lists_yield_every_object) {
  manifest_set set;
  parse_manifest(R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containers: [{name: c, image: i}]}}
- {apiVersion: v1, kind: Namespace, metadata: {name: c}}
)",
                 "multi.yaml", set);
  BOOST_TEST(set.ok());
  BOOST_REQUIRE(set.objects.size() == 3u);
  BOOST_TEST(meta_of(set.objects[2].object).name == "c");
  BOOST_TEST(set.objects[1].line == 6);
}

BOOST_AUTO_TEST_CASE(problems_name_file_line_object_and_field) {
  manifest_set set;
  parse_manifest(R"(apiVersion: v1
kind: Pod
metadata: {name: ok}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Service
metadata: {name: frontend}
spec: {type: NodePort, ports: [{port: 80, nodePort: 40001}]}
)",
                 "frontend-service.yaml", set);
  BOOST_TEST(set.objects.size() == 1u);
  BOOST_REQUIRE(set.problems.size() == 1u);
  BOOST_TEST(
      set.problems[0].to_string() ==
      "frontend-service.yaml:6: Service \"frontend\": spec.ports[0].nodePort: Invalid value: "
      "40001: provided port is not in the valid range. The range of valid ports is 30000-32767");
}

BOOST_AUTO_TEST_CASE(unreadable_inputs_are_reported_not_skipped) {
  auto missing = load_manifests("/nonexistent/capstan.yaml");
  BOOST_TEST(missing.problems.size() == 1u);
  manifest_set broken;
  parse_manifest("kind: Pod\nmetadata: [unclosed\n", "broken.yaml", broken);
  BOOST_REQUIRE(broken.problems.size() == 1u);
  BOOST_TEST(broken.problems[0].message.find("invalid YAML: line") == 0);
  manifest_set bad_json;
  parse_manifest("{\"kind\": ", "bad.json", bad_json);
  BOOST_TEST(bad_json.problems.size() == 1u);
  manifest_set empty;
  parse_manifest("# nothing here\n", "empty.yaml", empty);
  BOOST_TEST(empty.problems.size() == 1u);
}
