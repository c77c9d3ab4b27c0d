// Tests api/console_assets.cpp: the embedded console is served (the page for any view's path,
// hashed assets cached for a year), unknown assets are 404, writes are 405, and every answer
// forbids framing and sniffing.
#include <boost/test/unit_test.hpp>

#include "api/console_assets.hpp"
#include "api/console_bundle.hpp"

using namespace capstan::api;

namespace {

http_response get(const std::string& path, const std::string& method = "GET") {
  http_request req;
  req.method = method;
  req.path = path;
  return console_asset(req);
}

std::string header(const http_response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name)
      return v;
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(console_paths_are_the_console_and_what_is_under_it) {
  BOOST_TEST(is_console_path("/console"));
  BOOST_TEST(is_console_path("/console/"));
  BOOST_TEST(is_console_path("/console/assets/index.js"));
  BOOST_TEST(!is_console_path("/consoles"));
  BOOST_TEST(!is_console_path("/api/v1/console"));
}

BOOST_AUTO_TEST_CASE(every_view_path_is_the_page_never_cached) {
  for (const char* path : {"/console", "/console/", "/console/history", "/console/pods/a/b"}) {
    auto r = get(path);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.content_type == "text/html; charset=utf-8");
    BOOST_TEST(r.body.find("<div id=\"app\"></div>") != std::string::npos);
    BOOST_TEST(header(r, "Cache-Control") == "no-cache");
    BOOST_TEST(header(r, "X-Frame-Options") == "DENY");
    BOOST_TEST(header(r, "Content-Security-Policy").find("frame-ancestors 'none'") !=
               std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_pages_script_and_stylesheet_are_embedded_and_cached) {
  auto page = get("/console/");
  std::size_t scripts = 0;
  for (std::size_t i = 0; i < console_file_count; ++i) {
    std::string path(console_files[i].path);
    if (path.rfind("/console/assets/", 0) != 0)
      continue;
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(page.body.find(path) != std::string::npos);  // the page names it
      auto r = get(path);
      BOOST_TEST(r.status == 200);
      BOOST_TEST(r.body == std::string(console_files[i].bytes));
      BOOST_TEST(header(r, "Cache-Control") == "public, max-age=31536000, immutable");
      BOOST_TEST(header(r, "X-Content-Type-Options") == "nosniff");
      if (path.size() > 3 && path.substr(path.size() - 3) == ".js") {
        ++scripts;
        BOOST_TEST(r.content_type == "text/javascript; charset=utf-8");
      }
    }
  }
  BOOST_TEST(scripts >= 1u);
}

BOOST_AUTO_TEST_CASE(unknown_assets_are_404_and_writes_are_405) {
  BOOST_TEST(get("/console/assets/nope.js").status == 404);
  BOOST_TEST(get("/console/assets/../../etc/passwd").status == 404);
  auto post = get("/console/", "POST");
  BOOST_TEST(post.status == 405);
  BOOST_TEST(header(post, "Allow") == "GET, HEAD");
  BOOST_TEST(get("/console/", "HEAD").status == 200);
}
