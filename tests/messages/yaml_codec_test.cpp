// Tests messages/yaml_codec.cpp: scalar resolution, multi-document streams, aliases, errors,
// hostile input (each refused quickly and in bounded memory), output.
#include <boost/test/unit_test.hpp>

#include <functional>

#include "messages/input_text.hpp"
#include "messages/yaml_codec.hpp"
#include "tests/messages/hostile_inputs.hpp"

using namespace capstan::messages;
using namespace capstan::test;

BOOST_AUTO_TEST_CASE(plain_scalars_resolve_by_the_yaml_1_2_core_schema) {
  auto docs = parse_yaml_documents(R"(
int: 80
negative: -3
float: 0.5
quoted: "80"
single: '0.5'
bool: true
yes_word: yes
off_word: off
null_word: null
tilde: ~
empty:
text: redis-master
version: 1.0.2
image: kubeguide/redis-master:latest
explicit: !!str 42
mode: 0400
mode_o: 0o755
)");
  BOOST_REQUIRE(docs.size() == 1u);
  const json& t = docs[0].tree;
  BOOST_TEST(t["int"].is_number_integer());
  BOOST_TEST(t["int"].get<int>() == 80);
  BOOST_TEST(t["negative"].get<int>() == -3);
  BOOST_TEST(t["float"].is_number_float());
  BOOST_TEST(t["quoted"] == "80");
  BOOST_TEST(t["single"] == "0.5");
  BOOST_TEST(t["bool"] == true);
  // YAML 1.1's yes/no/on/off/y/n stay strings, so `zone: no` is not a boolean.
  BOOST_TEST(t["yes_word"] == "yes");
  BOOST_TEST(t["off_word"] == "off");
  BOOST_TEST(t["null_word"].is_null());
  BOOST_TEST(t["tilde"].is_null());
  BOOST_TEST(t["empty"].is_null());
  BOOST_TEST(t["text"] == "redis-master");
  BOOST_TEST(t["version"] == "1.0.2");
  BOOST_TEST(t["image"] == "kubeguide/redis-master:latest");
  BOOST_TEST(t["explicit"] == "42");
  // File modes as go-yaml reads them (Go's base-0 integers): octal.
  BOOST_TEST(t["mode"].get<int>() == 0400);
  BOOST_TEST(t["mode_o"].get<int>() == 0755);
}

BOOST_AUTO_TEST_CASE(multi_document_streams_keep_order_and_skip_empty_documents) {
  auto docs = parse_yaml_documents("a: 1\n---\n---\nb: 2\n...\n---\nc: [1, 2]\n");
  BOOST_REQUIRE(docs.size() == 3u);
  BOOST_TEST(docs[0].tree["a"] == 1);
  BOOST_TEST(docs[1].tree["b"] == 2);
  BOOST_TEST(docs[2].tree["c"].size() == 2u);
  BOOST_TEST(docs[1].line > docs[0].line);
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_line_and_column) {
  try {
    parse_yaml_documents("a: 1\nb: [1, 2\nc: 3\n");
    BOOST_FAIL("expected a yaml_error");
  } catch (const yaml_error& e) {
    BOOST_TEST(std::string(e.what()).find("line ") == 0);
  }
}

BOOST_AUTO_TEST_CASE(output_quotes_strings_that_would_read_back_as_other_types) {
  json tree =
      json::parse(R"({"port":"80","on":"yes","n":80,"b":true,"s":"redis","e":"","z":null})");
  std::string yaml = to_yaml(tree);
  auto back = parse_yaml_documents(yaml);
  BOOST_REQUIRE(back.size() == 1u);
  BOOST_TEST(back[0].tree.dump() == tree.dump());
}

BOOST_AUTO_TEST_CASE(aliases_expand_to_copies_of_their_anchor) {
  auto docs = parse_yaml_documents(R"(
base: &base {image: nginx, ports: [80, 443]}
first: *base
second: *base
key: &k name
*k : aliased key
)");
  BOOST_REQUIRE(docs.size() == 1u);
  const json& t = docs[0].tree;
  BOOST_TEST(t["first"] == t["base"]);
  BOOST_TEST(t["second"]["ports"][1] == 443);
  BOOST_TEST(t["name"] == "aliased key");
}

BOOST_AUTO_TEST_CASE(anchors_may_be_used_a_lot_when_the_document_is_mostly_text) {
  // 2,000 plain entries and 200 aliases of a 5-node anchor: 1,000 aliased nodes of ~3,200,
  // under the 99 % go-yaml allows, so accepted as kube-apiserver accepts it.
  std::string text = "anchor: &x [1, 2, 3, 4]\nplain:\n";
  for (int i = 0; i < 2000; ++i)
    text += "- " + std::to_string(i) + "\n";
  text += "aliases:\n";
  for (int i = 0; i < 200; ++i)
    text += "- *x\n";
  auto docs = parse_yaml_documents(text);
  BOOST_REQUIRE(docs.size() == 1u);
  BOOST_TEST(docs[0].tree["aliases"].size() == 200u);
}

namespace {

struct hostile_yaml {
  std::string what;
  std::function<std::string()> text;
  std::string message;  // text the yaml_error must contain
};

// Anchors that each nest `depth` levels and contain the previous one: shallow as written,
// `count` times as deep when expanded.
std::string nested_anchor_chain(int count, int depth) {
  std::string out;
  for (int k = 0; k < count; ++k) {
    std::string inner = k == 0 ? "1" : "*l" + std::to_string(k - 1);
    out += "l" + std::to_string(k) + ": &l" + std::to_string(k) + " " + std::string(depth, '[') +
           inner + std::string(depth, ']') + "\n";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hostile_documents_are_refused_quickly_in_bounded_memory) {
  const std::vector<hostile_yaml> cases = {
      {"alias bomb (CVE-2019-11253)", [] { return yaml_alias_bomb(); },
       "document contains excessive aliasing"},
      {"alias bomb split over documents",
       [] { return yaml_alias_bomb() + "---\n" + yaml_alias_bomb(); },
       "document contains excessive aliasing"},
      {"100,000 opening brackets", [] { return open_brackets(100000); }, "nesting deeper than 400"},
      {"500 closed brackets", [] { return open_brackets(500) + std::string(500, ']'); },
       "line 1, column 401: nesting deeper than 400 levels"},
      {"nesting built by aliases", [] { return nested_anchor_chain(3, 300); },
       "nesting deeper than 400 levels (after expanding aliases)"},
      {"an anchor that contains itself", [] { return std::string("a: &a [1, *a]\n"); },
       "line 1, column 11: anchor \"a\" value contains itself"},
      {"an undefined alias", [] { return std::string("a: *nope\n"); },
       "the referenced anchor is not defined"},
      {"100 MB", [] { return huge_document(100 * 1024 * 1024); },
       "the text is 104857600 bytes; the limit is 3145728 bytes"},
      {"invalid UTF-8 in a label value",
       [] { return "metadata:\n  labels:\n    tier: x\n    app: web\xff\n"; },
       "line 4, column 10: invalid UTF-8 in metadata.labels.app"},
      {"invalid UTF-8 in a key", [] { return "metadata:\n  labels:\n    \xed\xa0\x80: x\n"; },
       "line 3, column 5: invalid UTF-8 in a key in metadata.labels"},
      {"a NUL byte", [] { return std::string("metadata:\n  name: a\0b\n", 22); },
       "line 2, column 10: NUL byte"},
      {"an escaped NUL", [] { return std::string("metadata:\n  name: \"a\\0b\"\n"); },
       "line 2, column 9: NUL character in metadata.name"},
      {"a repeated key", [] { return std::string("metadata:\n  name: a\n  name: b\n"); },
       "line 3, column 3: key \"name\" already set in map (at metadata.name)"},
      {"a control character quoted by yaml-cpp", [] { return std::string("a: \"\\\x1b[2J\"\n"); },
       "unknown escape character: \\x1b"},
      // Found by fuzz/manifest_fuzz: yaml-cpp 0.7 reads a token it cannot use at the top of a
      // document as an empty document without consuming it, forever (a request body hung its
      // handler thread at full CPU).
      {"a stray comma", [] { return std::string(", replicas: 0"); },
       "line 1, column 1: unexpected ','"},
      {"a stray comma after a document", [] { return std::string("a: 1\n---\n,\n"); },
       "line 3, column 1: unexpected ','"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      std::string text = c.text();
      std::string message;
      auto spent = measure([&] {
        try {
          parse_yaml_documents(text);
        } catch (const yaml_error& e) {
          message = e.what();
        }
      });
      BOOST_TEST_INFO("message: " << message);
      BOOST_TEST(message.find(c.message) != std::string::npos);
      BOOST_TEST(spent.seconds < max_seconds);
      BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
      BOOST_TEST(valid_utf8(message));
      BOOST_TEST(message.find('\x1b') == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(ten_thousand_labels_are_valid_and_quick) {
  std::string text = "metadata:\n  labels:\n";
  for (int i = 0; i < 10000; ++i)
    text += "    l" + std::to_string(i) + ": v\n";
  std::vector<yaml_document> docs;
  auto spent = measure([&] { docs = parse_yaml_documents(text); });
  BOOST_REQUIRE(docs.size() == 1u);
  BOOST_TEST(docs[0].tree["metadata"]["labels"].size() == 10000u);
  BOOST_TEST(spent.seconds < max_seconds);
  BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
}

BOOST_AUTO_TEST_CASE(the_worst_documents_under_the_size_limit_stay_bounded) {
  // The most nodes per byte within 3 MiB: a flow list of empty lists as JSON (read by the JSON
  // reader) and after "- " (yaml-cpp then holds all of its tokens until it ends), and a block
  // list of one-character scalars.
  const std::size_t limit = yaml_input_limits{}.max_bytes;
  auto flow = [&](const std::string& prefix) {
    std::string text = prefix + "[";
    while (text.size() + 6 <= limit)
      text += "[],";
    return text + "[]]";
  };
  std::string scalars;
  while (scalars.size() + 4 <= limit)
    scalars += "- a\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"JSON", flow("")}, {"flow YAML", flow("- ")}, {"block YAML", scalars}};
  for (const auto& [what, text] : cases) {
    std::vector<yaml_document> docs;
    auto spent = measure([&] { docs = parse_yaml_documents(text); });
    BOOST_TEST_MESSAGE("3 MiB of " << what << ": " << spent.seconds << " s, peak +"
                                   << spent.peak_growth_mb << " MB");
    BOOST_TEST(docs.size() == 1u);
    BOOST_TEST(spent.peak_growth_mb < 450 * sanitizer_memory_factor);
  }
}
