// Tests messages/manifest.cpp against the project's examples (the seeds' manifests) and
// against multi-document, List, broken and hostile inputs.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <streambuf>

#include "messages/input_text.hpp"
#include "messages/json_codec.hpp"
#include "messages/manifest.hpp"
#include "tests/messages/hostile_inputs.hpp"

using namespace capstan::messages;
using namespace capstan::test;

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

namespace {

struct hostile_manifest {
  std::string what;
  std::string source;  // its name decides JSON or YAML
  std::function<std::string()> text;
  std::string message;  // text the one problem must contain
};

}  // namespace

BOOST_AUTO_TEST_CASE(hostile_manifests_are_refused_quickly_in_bounded_memory) {
  const std::vector<hostile_manifest> cases = {
      {"alias bomb", "bomb.yaml", [] { return yaml_alias_bomb(); }, "invalid YAML: line "},
      {"100,000 brackets of YAML", "deep.yaml", [] { return open_brackets(100000); },
       "invalid YAML: line 1, column 201: nesting deeper than 400 levels"},
      {"100,000 brackets of JSON", "deep.json", [] { return open_brackets(100000); },
       "invalid JSON: nesting deeper than 1000 levels in [0][0]"},
      {"100 MB of YAML", "big.yaml", [] { return huge_document(100 * 1024 * 1024); },
       "invalid YAML: the text is 104857600 bytes; the limit is 3145728 bytes"},
      {"100 MB of JSON", "big.json", [] { return huge_document(100 * 1024 * 1024); },
       "invalid JSON: the document is 104857600 bytes; the limit is 3145728 bytes"},
      {"invalid UTF-8 in a JSON label", "pod.json",
       [] { return pod_with_labels("{\"app\": \"web\xfe\"}"); },
       "invalid JSON: invalid UTF-8 in metadata.labels.app (line 1, column "},
      {"invalid UTF-8 in a YAML label", "pod.yaml",
       [] { return pod_with_labels("{\"app\": \"web\xfe\"}"); },
       "invalid YAML: line 1, column 81: invalid UTF-8 in metadata.labels.app"},
      {"a NUL byte in JSON", "pod.json",
       [] { return pod_with_labels(std::string("{\"app\": \"a\0\"}", 12)); },
       "invalid JSON: NUL byte in metadata.labels.app"},
      {"a NUL byte in YAML", "pod.yaml",
       [] { return pod_with_labels(std::string("{\"app\": \"a\0\"}", 12)); },
       "invalid YAML: line 1, column 83: NUL byte"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      std::string text = c.text();
      manifest_set set;
      auto spent = measure([&] { parse_manifest(text, c.source, set); });
      BOOST_TEST(set.objects.empty());
      BOOST_REQUIRE(set.problems.size() == 1u);
      BOOST_TEST_INFO("problem: " << set.problems[0].to_string());
      BOOST_TEST(set.problems[0].source == c.source);
      BOOST_TEST(set.problems[0].message.find(c.message) == 0u, set.problems[0].message);
      BOOST_TEST(valid_utf8(set.problems[0].message));
      BOOST_TEST(spent.seconds < max_seconds);
      BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
    }
  }
}

BOOST_AUTO_TEST_CASE(ten_thousand_labels_make_a_valid_pod_in_json_and_yaml) {
  std::string text = pod_with_labels(many_labels(10000));
  for (const char* source : {"pod.json", "pod.yaml"}) {
    BOOST_TEST_CONTEXT(source) {
      manifest_set set;
      auto spent = measure([&] { parse_manifest(text, source, set); });
      for (const auto& p : set.problems)
        BOOST_TEST_MESSAGE(p.to_string());
      BOOST_TEST(set.ok());
      BOOST_REQUIRE(set.objects.size() == 1u);
      BOOST_TEST(meta_of(set.objects[0].object).labels.size() == 10000u);
      BOOST_TEST(spent.seconds < max_seconds);
      BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
    }
  }
}

BOOST_AUTO_TEST_CASE(files_over_the_limit_are_refused_before_they_are_read) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("capstan-manifest-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path big = dir / "big.yaml";
  { std::ofstream(big) << "a: 1\n"; }
  fs::resize_file(big, 100 * 1024 * 1024);  // sparse: costs no disk
  manifest_set set;
  auto spent = measure([&] { set = load_manifests(big.string()); });
  BOOST_REQUIRE(set.problems.size() == 1u);
  BOOST_TEST(set.problems[0].to_string() ==
             big.string() +
                 ": the file is 104857600 bytes (100 MiB); a manifest may be at most 3145728 "
                 "bytes (3 MiB)");
  BOOST_TEST(spent.seconds < max_seconds);
  BOOST_TEST(spent.peak_growth_mb < 10);  // not read at all
  fs::remove_all(dir);

  // A device never ends: at most the limit and one byte are read from it.
  spent = measure([&] { set = load_manifests("/dev/zero"); });
  BOOST_REQUIRE(set.problems.size() == 1u);
  BOOST_TEST(set.problems[0].message ==
             "the file holds more than 3145728 bytes (3 MiB), the most a manifest may hold");
  BOOST_TEST(spent.seconds < max_seconds);
  BOOST_TEST(spent.peak_growth_mb < 50);
}

namespace {

// Standard input that never ends: "a: 1\n" forever.
struct endless_input : std::streambuf {
  char chunk[5] = {'a', ':', ' ', '1', '\n'};
  int_type underflow() override {
    setg(chunk, chunk, chunk + sizeof chunk);
    return traits_type::to_int_type(chunk[0]);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(standard_input_is_read_up_to_the_limit) {
  endless_input endless;
  std::streambuf* saved = std::cin.rdbuf(&endless);
  manifest_set set;
  auto spent = measure([&] { set = load_manifests("-"); });
  std::cin.rdbuf(saved);
  BOOST_REQUIRE(set.problems.size() == 1u);
  BOOST_TEST(set.problems[0].to_string() ==
             "<stdin>: standard input holds more than 3145728 bytes (3 MiB), the most a manifest "
             "may hold");
  BOOST_TEST(spent.seconds < max_seconds);
  BOOST_TEST(spent.peak_growth_mb < 50);
}

BOOST_AUTO_TEST_CASE(objects_and_problems_per_input_are_bounded) {
  manifest_limits small;
  small.max_objects = 3;
  small.max_problems = 2;
  std::string namespaces;
  for (int i = 0; i < 5; ++i)
    namespaces +=
        "---\n{apiVersion: v1, kind: Namespace, metadata: {name: ns" + std::to_string(i) + "}}\n";
  manifest_set many;
  parse_manifest(namespaces, "many.yaml", many, small);
  BOOST_TEST(many.objects.empty());
  BOOST_REQUIRE(many.problems.size() == 1u);
  BOOST_TEST(many.problems[0].message ==
             "invalid YAML: line 8, column 1: more than 3 documents in one stream");

  std::string broken = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < 3; ++i)
    broken +=
        "- {apiVersion: v1, kind: Namespace, metadata: {name: Bad_" + std::to_string(i) + "}}\n";
  manifest_set bad;
  parse_manifest(broken, "broken.yaml", bad, small);
  BOOST_REQUIRE(bad.problems.size() == 3u);
  BOOST_TEST(bad.problems[2].message ==
             "more than 2 problems; the rest of the input was not checked");

  // The defaults: 10,000 objects.
  std::string list = R"({"apiVersion":"v1","kind":"List","items":[)";
  for (int i = 0; i < 10001; ++i)
    list += std::string(i ? "," : "") +
            R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n)" + std::to_string(i) +
            "\"}}";
  list += "]}";
  manifest_set listed;
  auto spent = measure([&] { parse_manifest(list, "list.json", listed); });
  BOOST_TEST(listed.objects.size() == 10000u);
  BOOST_REQUIRE(listed.problems.size() == 1u);
  BOOST_TEST(listed.problems[0].message.find("more than 10000 objects") == 0u);
  BOOST_TEST(spent.seconds < max_seconds);
}
