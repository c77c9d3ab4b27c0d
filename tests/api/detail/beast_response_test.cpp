// Tests api/detail/beast_response.cpp: the headers a handler's answer goes out with. kubectl
// prints `Warning: 299 - "..."` headers as warnings and waits Retry-After on a 429; a HEAD
// answer with a body would be read by the client as the start of the next answer.
#include <boost/test/unit_test.hpp>

#include "api/detail/beast_response.hpp"

using namespace capstan::api;
using detail::beast_response;
using detail::head_response;
namespace http = boost::beast::http;

BOOST_AUTO_TEST_CASE(an_answer_keeps_its_status_type_body_and_length) {
  http_response out;
  out.status = 201;
  out.content_type = "application/yaml";
  out.body = "kind: Pod\n";
  auto res = beast_response(out, 11, true);
  BOOST_TEST(res.result_int() == 201u);
  BOOST_TEST(res.version() == 11u);
  BOOST_TEST(res[http::field::server] == "capstan");
  BOOST_TEST(res[http::field::content_type] == "application/yaml");
  BOOST_TEST(res.body() == "kind: Pod\n");
  BOOST_TEST(res[http::field::content_length] == "10");
  BOOST_TEST(res.keep_alive());
  BOOST_TEST(res.count(http::field::retry_after) == 0u);
  BOOST_TEST(res.count(http::field::warning) == 0u);
}

BOOST_AUTO_TEST_CASE(warnings_are_quoted_299_headers_and_retry_after_is_set_when_asked) {
  http_response out;
  out.status = 429;
  out.warnings = {"metadata.name: \"x\" is long", std::string("bad \xff byte")};
  out.retry_after_seconds = 1;
  auto res = beast_response(out, 11, false);
  std::vector<std::string> warnings;
  auto [first, last] = res.equal_range(http::field::warning);
  for (auto it = first; it != last; ++it)
    warnings.emplace_back(it->value());
  BOOST_TEST(warnings.size() == 2u);
  BOOST_TEST(warnings.at(0) == R"(299 - "metadata.name: \"x\" is long")");
  BOOST_TEST(warnings.at(1) == "299 - \"bad \xef\xbf\xbd byte\"");  // invalid UTF-8 replaced
  BOOST_TEST(res[http::field::retry_after] == "1");
  BOOST_TEST(!res.keep_alive());
}

BOOST_AUTO_TEST_CASE(an_http_1_0_answer_stays_http_1_0) {
  http_response out;
  auto res = beast_response(out, 10, true);
  BOOST_TEST(res.version() == 10u);
  BOOST_TEST(res.keep_alive());
  BOOST_TEST(res[http::field::connection] == "keep-alive");
}

BOOST_AUTO_TEST_CASE(a_head_answer_has_the_get_headers_and_no_body) {
  http_response out;
  out.content_type = "application/json";
  out.body = R"({"kind":"Pod"})";
  auto full = beast_response(out, 11, true);
  auto head = head_response(full, true);
  BOOST_TEST(head.result_int() == 200u);
  BOOST_TEST(head[http::field::content_type] == "application/json");
  BOOST_TEST(head[http::field::content_length] == "14");  // what the GET would send
  BOOST_TEST(head[http::field::server] == "capstan");
  BOOST_TEST(head.keep_alive());
  BOOST_TEST(!head_response(full, false).keep_alive());
}
