#include "api/console_assets.hpp"

#include "api/console_bundle.hpp"

#include <utility>

namespace capstan::api {

namespace {

constexpr std::string_view root = "/console";
constexpr std::string_view assets = "/console/assets/";

// The media type of what Vite writes, by file name ending.
std::string_view content_type(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> types[] = {
      {".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},     {".svg", "image/svg+xml"},
      {".png", "image/png"},                     {".ico", "image/x-icon"},
      {".woff2", "font/woff2"}};
  for (const auto& [suffix, type] : types)
    if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix)
      return type;
  return "application/octet-stream";
}

const console_file* find_file(std::string_view path) {
  for (std::size_t i = 0; i < console_file_count; ++i)
    if (console_files[i].path == path)
      return &console_files[i];
  return nullptr;
}

http_response with_safety_headers(http_response r) {
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; "
                         "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                         "form-action 'self'; frame-ancestors 'none'");
  return r;
}

http_response text(int status, std::string body) {
  http_response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return with_safety_headers(std::move(r));
}

}  // namespace

bool is_console_path(std::string_view path) {
  return path == root || path.substr(0, root.size() + 1) == "/console/";
}

http_response console_asset(const http_request& req) {
  if (req.method != "GET" && req.method != "HEAD") {
    auto r = text(405, "the console's files are read with GET\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const bool asset = req.path.compare(0, assets.size(), assets) == 0;
  const console_file* file = find_file(asset ? std::string_view(req.path) : "/console/index.html");
  if (!file)
    return text(404, asset ? "no such file of the console\n"
                           : "this master was built without its console\n");
  http_response r;
  r.content_type = std::string(content_type(file->path));
  r.body = std::string(file->bytes);
  r.headers.emplace_back("Cache-Control",
                         asset ? "public, max-age=31536000, immutable" : "no-cache");
  return with_safety_headers(std::move(r));
}

}  // namespace capstan::api
