// Tests api/request_params.cpp: query strings decoded as Go decodes them, and the list/watch
// and dryRun parameters checked with kube-apiserver's 400s.
#include <boost/test/unit_test.hpp>

#include <string>

#include "api/request_params.hpp"
#include "messages/json_codec.hpp"

using namespace capstan::api;
using capstan::messages::json;

namespace {

http_request with_query(const std::string& query) {
  http_request req;
  req.method = "GET";
  req.path = "/api/v1/pods";
  req.query = parse_query(query);
  return req;
}

// The message of a Status answer, after checking it is a 400 BadRequest.
std::string bad_request_message(const http_response& out) {
  BOOST_TEST(out.status == 400);
  auto body = json::parse(out.body);
  BOOST_TEST(body.at("kind") == "Status");
  BOOST_TEST(body.at("reason") == "BadRequest");
  BOOST_TEST(body.at("code") == 400);
  return body.at("message").get<std::string>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(url_decode_decodes_escapes_and_plus) {
  BOOST_TEST(url_decode("a%20b+c") == "a b c");
  BOOST_TEST(url_decode("app%3Dweb%2Ctier%21%3Dfe") == "app=web,tier!=fe");
  BOOST_TEST(url_decode("%e2%9c%93") == "\xe2\x9c\x93");
  // Malformed escapes stay as they are.
  BOOST_TEST(url_decode("100%") == "100%");
  BOOST_TEST(url_decode("%zz%4") == "%zz%4");
}

BOOST_AUTO_TEST_CASE(parse_query_splits_and_decodes_pairs) {
  auto q = parse_query("labelSelector=app%3Dweb&watch=1&empty=&flag&&x=a=b");
  BOOST_TEST(q.size() == 5u);
  BOOST_TEST(q.at("labelSelector") == "app=web");
  BOOST_TEST(q.at("watch") == "1");
  BOOST_TEST(q.at("empty") == "");
  BOOST_TEST(q.at("flag") == "");
  BOOST_TEST(q.at("x") == "a=b");  // only the first '=' splits
  BOOST_TEST(parse_query("").empty());
  // A repeated name: the last value wins.
  BOOST_TEST(parse_query("limit=1&limit=2").at("limit") == "2");
}

BOOST_AUTO_TEST_CASE(parse_query_all_keeps_every_repeated_value_in_order) {
  auto q = parse_query_all("command=sh&stdout=true&command=-c&command=echo%20a%26b");
  std::vector<std::string> command;
  for (auto [it, end] = q.equal_range("command"); it != end; ++it)
    command.push_back(it->second);
  BOOST_TEST(command == (std::vector<std::string>{"sh", "-c", "echo a&b"}),
             boost::test_tools::per_element());
  BOOST_TEST(parse_query("command=sh&command=-c").at("command") == "-c");  // the last counts
}

BOOST_AUTO_TEST_CASE(query_flag_reads_booleans_as_go_does) {
  for (const std::string yes : {"1", "t", "T", "true", "True", "TRUE"})
    BOOST_TEST(query_flag(with_query("watch=" + yes), "watch"), yes);
  for (const std::string no : {"0", "false", "yes", "tRUE", "", "2"})
    BOOST_TEST(!query_flag(with_query("watch=" + no), "watch"), no);
  BOOST_TEST(!query_flag(with_query(""), "watch"));
}

BOOST_AUTO_TEST_CASE(query_number_falls_back_and_refuses_what_is_no_u64) {
  BOOST_TEST(*query_number(with_query(""), "tailLines", 7) == 7u);
  BOOST_TEST(*query_number(with_query("tailLines="), "tailLines", 7) == 7u);
  BOOST_TEST(*query_number(with_query("tailLines=42"), "tailLines", 7) == 42u);
  BOOST_TEST(*query_number(with_query("n=18446744073709551615"), "n", 0) == UINT64_MAX);
  BOOST_TEST(!query_number(with_query("n=18446744073709551616"), "n", 0));
  BOOST_TEST(!query_number(with_query("n=-1"), "n", 0));
  BOOST_TEST(!query_number(with_query("n=1e3"), "n", 0));
  BOOST_TEST(!query_number(with_query("n=%2B5"), "n", 0));  // "+5"
}

BOOST_AUTO_TEST_CASE(list_params_are_read) {
  auto none = std::get<list_params>(read_list_params(with_query("")));
  BOOST_TEST(!none.resource_version);
  BOOST_TEST(none.limit == 0u);
  BOOST_TEST(none.timeout_seconds == 0u);

  auto all = std::get<list_params>(
      read_list_params(with_query("resourceVersion=0&limit=500&timeoutSeconds=300")));
  BOOST_REQUIRE(all.resource_version);
  BOOST_TEST(*all.resource_version == 0u);  // "0": any version, distinct from absent
  BOOST_TEST(all.limit == 500u);
  BOOST_TEST(all.timeout_seconds == 300u);

  // An empty value is no value.
  auto empty = std::get<list_params>(read_list_params(with_query("resourceVersion=&limit=")));
  BOOST_TEST(!empty.resource_version);
  BOOST_TEST(empty.limit == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_list_params_get_kube_apiservers_400) {
  auto rv = read_list_params(with_query("resourceVersion=abc"));
  BOOST_REQUIRE(std::holds_alternative<http_response>(rv));
  BOOST_TEST(
      bad_request_message(std::get<http_response>(rv)) ==
      R"(resourceVersion: Invalid value: "abc": must be a non-negative integer of at most 64 bits)");
  auto limit = read_list_params(with_query("limit=-5"));
  BOOST_REQUIRE(std::holds_alternative<http_response>(limit));
  BOOST_TEST(bad_request_message(std::get<http_response>(limit)) ==
             R"(limit: Invalid value: "-5": must be greater than or equal to 0)");
  auto timeout = read_list_params(with_query("timeoutSeconds=1m"));
  BOOST_REQUIRE(std::holds_alternative<http_response>(timeout));
  BOOST_TEST(bad_request_message(std::get<http_response>(timeout)) ==
             R"(timeoutSeconds: Invalid value: "1m": must be a non-negative integer of seconds)");
}

BOOST_AUTO_TEST_CASE(dry_run_is_all_or_nothing) {
  BOOST_TEST(std::get<bool>(read_dry_run(with_query(""))) == false);
  BOOST_TEST(std::get<bool>(read_dry_run(with_query("dryRun="))) == false);
  BOOST_TEST(std::get<bool>(read_dry_run(with_query("dryRun=All"))) == true);
  auto bad = read_dry_run(with_query("dryRun=all"));
  BOOST_REQUIRE(std::holds_alternative<http_response>(bad));
  BOOST_TEST(bad_request_message(std::get<http_response>(bad)) ==
             R"(dryRun: Unsupported value: "all": supported values: "All")");
}
