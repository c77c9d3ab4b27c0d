// Tests messages/yaml_codec.cpp: scalar resolution, multi-document streams, errors, output.
#include <boost/test/unit_test.hpp>

#include "messages/yaml_codec.hpp"

using namespace capstan::messages;

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
