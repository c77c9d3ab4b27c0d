// Tests api/detail/request_classes.cpp: which in-flight limit a request counts against. A read
// taken for a write would wait behind journal writes on the write pool; a watch not taken for
// long-running would hold a read slot for its whole life (400 watches would stop all reads).
#include <boost/test/unit_test.hpp>

#include "api/detail/request_classes.hpp"

using namespace capstan::api;
using detail::is_long_running;
using detail::is_mutating;
namespace http = boost::beast::http;

namespace {

http_request request(std::string path, std::map<std::string, std::string> query) {
  http_request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(only_get_head_and_options_are_reads) {
  BOOST_TEST(!is_mutating(http::verb::get));
  BOOST_TEST(!is_mutating(http::verb::head));
  BOOST_TEST(!is_mutating(http::verb::options));
  for (auto verb : {http::verb::post, http::verb::put, http::verb::patch, http::verb::delete_})
    BOOST_TEST(is_mutating(verb), http::to_string(verb));
}

BOOST_AUTO_TEST_CASE(watches_and_followed_logs_are_long_running) {
  struct row {
    const char* path;
    std::map<std::string, std::string> query;
    bool long_running;
  };
  const row rows[] = {
      {"/api/v1/pods", {{"watch", "true"}}, true},
      {"/api/v1/namespaces/default/pods", {{"watch", "1"}}, true},
      {"/api/v1/namespaces/default/pods/web/log", {{"follow", "true"}}, true},
      {"/api/v1/pods", {}, false},
      {"/api/v1/pods", {{"watch", "false"}}, false},
      {"/api/v1/namespaces/default/pods/web/log", {}, false},
      {"/api/v1/namespaces/default/pods/web/log", {{"follow", "false"}}, false},
      // follow means something only on a log
      {"/api/v1/namespaces/default/pods/web", {{"follow", "true"}}, false},
      {"/log", {{"follow", "true"}}, false},  // too short to be a pod's log
  };
  for (const auto& r : rows)
    BOOST_TEST(is_long_running(request(r.path, r.query)) == r.long_running, r.path);
}
