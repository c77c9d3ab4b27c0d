// Tests messages/label_selector.cpp: parsing, matching and positioned syntax errors.
#include <boost/test/unit_test.hpp>

#include "messages/label_selector.hpp"

using namespace capstan::messages;

namespace {
label_selector parse_ok(const std::string& text) {
  auto result = label_selector::parse(text);
  if (auto* err = std::get_if<selector_syntax_error>(&result))
    BOOST_FAIL("unexpected syntax error: " << err->to_string(text));
  return std::get<label_selector>(result);
}
}  // namespace

BOOST_AUTO_TEST_CASE(equality_and_set_based_selectors_match_as_kubernetes_does) {
  const string_map master = {{"name", "redis-master"}, {"env", "production"}};
  const string_map slave = {{"name", "redis-slave"}, {"env", "dev"}};
  const string_map frontend = {{"name", "frontend"}};
  struct row {
    const char* selector;
    bool m, s, f;
  };
  const row rows[] = {
      {"", true, true, true},
      {"name=redis-slave", false, true, false},
      {"name==redis-slave", false, true, false},
      {"name=redis-slave,env!=production", false, true, false},
      {"env!=production", false, true, true},
      {"name in (redis-master, redis-slave)", true, true, false},
      {"name notin (redis-master,redis-slave)", false, false, true},
      {"env", true, true, false},
      {"!env", false, false, true},
      {"env,name in (frontend)", false, false, false},
      {" name = frontend ", false, false, true},
  };
  for (const auto& r : rows) {
    BOOST_TEST_INFO("selector '" << r.selector << "'");
    auto sel = parse_ok(r.selector);
    BOOST_TEST(sel.matches(master) == r.m);
    BOOST_TEST(sel.matches(slave) == r.s);
    BOOST_TEST(sel.matches(frontend) == r.f);
  }
}

BOOST_AUTO_TEST_CASE(greater_and_less_than_compare_integers) {
  auto sel = parse_ok("replicas>2,replicas<10");
  BOOST_TEST(sel.matches({{"replicas", "5"}}));
  BOOST_TEST(!sel.matches({{"replicas", "2"}}));
  BOOST_TEST(!sel.matches({{"replicas", "x"}}));
}

// Found by fuzz/selector_fuzz: an operand of '>' or '<' beyond 64 bits, in the selector or in a
// label value, threw std::out_of_range out of matching (a list request, a watch's filter).
BOOST_AUTO_TEST_CASE(integers_beyond_64_bits_are_refused_or_match_nothing) {
  auto result = label_selector::parse("replicas>200000000000000000000000");
  auto* err = std::get_if<selector_syntax_error>(&result);
  BOOST_REQUIRE(err != nullptr);
  BOOST_TEST(err->position == 9u);
  BOOST_TEST(err->message.find("at most 64 bits") != std::string::npos);
  auto sel = parse_ok("replicas>2,replicas<9223372036854775807");
  BOOST_TEST(sel.matches({{"replicas", "5"}}));
  BOOST_TEST(!sel.matches({{"replicas", "99999999999999999999"}}));
  BOOST_TEST(!parse_ok("replicas<10").matches({{"replicas", "99999999999999999999"}}));
}

BOOST_AUTO_TEST_CASE(syntax_errors_report_their_position) {
  struct row {
    const char* text;
    std::size_t position;
    const char* fragment;
  };
  const row rows[] = {
      {"name in redis", 8, "expected '('"},
      {"name in (a, b", 13, "expected ')'"},
      {"name=a,", 7, "after ','"},
      {"name=a b", 7, "expected ','"},
      {"name ~ a", 5, "expected one of"},
      {"=a", 0, "expected a label key"},
      {"name=-bad-", 5, "invalid label value"},
      {"Bad Key/x=1", 4, "expected"},
      {"a>b", 2, "expected an integer"},
  };
  for (const auto& r : rows) {
    BOOST_TEST_INFO("selector '" << r.text << "'");
    auto result = label_selector::parse(r.text);
    auto* err = std::get_if<selector_syntax_error>(&result);
    BOOST_REQUIRE(err != nullptr);
    BOOST_TEST(err->position == r.position);
    BOOST_TEST(err->to_string(r.text).find(r.fragment) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(canonical_text_round_trips) {
  auto sel = parse_ok("tier in (b,a),env!=prod,!gone");
  BOOST_TEST(sel.to_string() == "env!=prod,!gone,tier in (a,b)");
  BOOST_TEST(parse_ok(sel.to_string()).to_string() == sel.to_string());
  auto from_map = label_selector::from_map({{"name", "frontend"}});
  BOOST_TEST(from_map.to_string() == "name=frontend");
  BOOST_TEST(from_map.matches({{"name", "frontend"}, {"x", "y"}}));
}
