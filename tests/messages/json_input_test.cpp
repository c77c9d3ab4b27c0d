// Tests messages/json_input.cpp: good documents read as nlohmann's parser reads them, and a
// table of hostile ones each refused quickly, in bounded memory, with a message naming where.
#include <boost/test/unit_test.hpp>

#include <functional>

#include "messages/input_text.hpp"
#include "messages/json_input.hpp"
#include "tests/messages/hostile_inputs.hpp"

using namespace capstan::messages;
using namespace capstan::test;

namespace {

std::variant<json, json_input_error> parse(std::string_view text) {
  return parse_json_input(text);
}

const json_input_error* error_of(const std::variant<json, json_input_error>& r) {
  return std::get_if<json_input_error>(&r);
}

struct hostile_case {
  std::string what;
  std::function<std::string()> text;
  std::string field;    // the field the error must name ("" for the whole document)
  std::string message;  // text the message must contain
};

}  // namespace

BOOST_AUTO_TEST_CASE(good_documents_read_as_nlohmann_reads_them) {
  for (std::string text : {
           R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}}})",
           R"([1, -2, 3.5, 18446744073709551615, -9223372036854775808, 1e300, true, null, "é"])",
           R"("\u00e9\ud83d\ude00 escaped")",
           "  {\n\t\"a\" : [ ] , \"b\" : { } }\r\n",
       }) {
    auto r = parse(text);
    BOOST_TEST_INFO(text);
    BOOST_REQUIRE(!error_of(r));
    BOOST_TEST(std::get<json>(r) == json::parse(text));
  }
  // Field order is kept (capstan's json is nlohmann::ordered_json).
  auto r = parse(R"({"z":1,"a":2,"m":3})");
  BOOST_TEST(std::get<json>(r).dump() == R"({"z":1,"a":2,"m":3})");
}

BOOST_AUTO_TEST_CASE(errors_name_the_field_they_are_in) {
  const std::vector<hostile_case> cases = {
      {"invalid UTF-8 in a label value",
       [] { return pod_with_labels("{\"tier\": \"x\", \"app\": \"web\xff\"}"); },
       "metadata.labels.app", "invalid UTF-8 in metadata.labels.app (line 1, column "},
      {"invalid UTF-8 in a label key", [] { return pod_with_labels("{\"a\xc3\x28\": \"x\"}"); },
       "metadata.labels", "invalid UTF-8 in a field name in metadata.labels"},
      {"a lone surrogate escape", [] { return pod_with_labels(R"({"app": "\ud800"})"); },
       "metadata.labels.app", "in metadata.labels.app"},
      {"an index in a list",
       [] { return std::string(R"({"spec":{"containers":[{"name":"a"},{"image":tru}]}})"); },
       "spec.containers[1].image", "in spec.containers[1].image"},
      {"a dotted label key is bracketed",
       [] { return pod_with_labels("{\"app.kubernetes.io/name\": \"\xc0\xaf\"}"); },
       "metadata.labels[app.kubernetes.io/name]", "invalid UTF-8 in"},
      {"a repeated field", [] { return pod_with_labels(R"({"app": "a", "app": "b"})"); },
       "metadata.labels.app", "duplicate field metadata.labels.app"},
      {"an integer beyond 64 bits",
       [] { return std::string(R"({"spec":{"replicas":123456789012345678901234}})"); },
       "spec.replicas", "integer out of range"},
      {"a number beyond a double", [] { return std::string(R"({"spec":{"replicas":1e400}})"); },
       "spec.replicas", "number out of range in spec.replicas"},
      {"an escaped NUL", [] { return pod_with_labels(R"({"app": "a\u0000b"})"); },
       "metadata.labels.app", "NUL character"},
      {"a raw NUL inside a string",
       [] { return pod_with_labels(std::string("{\"app\": \"a\0b\"}", 14)); },
       "metadata.labels.app", "NUL byte in metadata.labels.app"},
      {"a raw NUL between fields", [] { return std::string("{\"a\": 1,\0 \"b\": 2}", 17); }, "",
       "NUL byte"},
      {"a raw NUL after the document", [] { return std::string("{\"a\": 1}\0{\"b\": 2}", 17); }, "",
       "NUL byte after the end of the document (line 1, column 9)"},
      {"a truncated document", [] { return std::string(R"({"metadata":{"labels":{"app":)"); },
       "metadata.labels.app", "unexpected end of the document (is it truncated?)"},
      {"text after the document", [] { return std::string("{\"a\": 1}\n}garbage"); }, "",
       "unexpected text after the end of the document (line 2, column 1)"},
      {"an empty document", [] { return std::string(" \n "); }, "", "the document is empty"},
      {"a control character", [] { return std::string("{\"a\": \"x\x1by\"}"); }, "a",
       "unescaped control character in a string in a"},
      {"100,000 opening brackets", [] { return open_brackets(100000); }, std::string(),
       "nesting deeper than 1000 levels in [0][0]"},
      {"100 MB", [] { return huge_document(100 * 1024 * 1024); }, "",
       "the document is 104857600 bytes; the limit is 3145728 bytes"},
      {"a YAML alias bomb is no JSON", [] { return yaml_alias_bomb(); }, "", "syntax error"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) {
      std::string text = c.text();
      std::variant<json, json_input_error> r;
      auto spent = measure([&] { r = parse(text); });
      BOOST_TEST(spent.seconds < max_seconds);
      BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
      const auto* e = error_of(r);
      BOOST_REQUIRE(e);
      BOOST_TEST_INFO("message: " << e->message);
      if (c.what != "100,000 opening brackets")
        BOOST_TEST(e->field == c.field);
      BOOST_TEST(e->message.find(c.message) != std::string::npos);
      // Messages are safe to print and to dump into a JSON Status.
      BOOST_TEST(valid_utf8(e->message));
      BOOST_TEST(e->message.size() < 400u);
      BOOST_CHECK_NO_THROW(json(e->message).dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(ten_thousand_labels_are_valid_and_quick) {
  std::string text = pod_with_labels(many_labels(10000));
  std::variant<json, json_input_error> r;
  auto spent = measure([&] { r = parse(text); });
  BOOST_REQUIRE(!error_of(r));
  BOOST_TEST(std::get<json>(r)["metadata"]["labels"].size() == 10000u);
  BOOST_TEST(std::get<json>(r)["metadata"]["labels"]["l9999"] == "v");
  BOOST_TEST(spent.seconds < max_seconds);
  BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
}

BOOST_AUTO_TEST_CASE(the_worst_documents_under_the_size_limit_stay_bounded) {
  // The most nodes per byte the limit allows: a flat list of empty lists, and an object of
  // 3 MiB of short distinct fields (each one hashed to refuse repeats).
  const std::size_t limit = json_input_limits{}.max_bytes;
  std::string lists = "[";
  while (lists.size() + 6 <= limit)
    lists += "[],";
  lists += "[]]";
  std::string fields = "{";
  for (std::size_t i = 0; fields.size() + 20 <= limit; ++i)
    fields += "\"" + std::to_string(i) + "\":0,";
  fields += "\"end\":0}";
  for (const std::string* text : {&lists, &fields}) {
    std::variant<json, json_input_error> r;
    auto spent = measure([&] { r = parse(*text); });
    BOOST_TEST_MESSAGE("3 MiB worst case: " << spent.seconds << " s, peak +" << spent.peak_growth_mb
                                            << " MB");
    BOOST_TEST(!error_of(r), (error_of(r) ? error_of(r)->message : ""));
    BOOST_TEST(spent.seconds < max_seconds);
    BOOST_TEST(spent.peak_growth_mb < max_peak_growth_mb);
  }
}

BOOST_AUTO_TEST_CASE(limits_are_the_callers_to_choose) {
  json_input_limits small;
  small.max_bytes = 10;
  small.max_depth = 2;
  BOOST_TEST(!error_of(parse_json_input("[[1]]", small)));
  BOOST_TEST(error_of(parse_json_input("[[[1]]]", small))->message ==
             "nesting deeper than 2 levels in [0][0]");
  BOOST_TEST(error_of(parse_json_input("[1,2,3,4,5]", small))->message ==
             "the document is 11 bytes; the limit is 10 bytes");
}
