// Fuzz target: the API server's request path up to the master (api/http_request_reader.hpp and
// the decoding of api/: query parameters, routes, selectors, bodies, patches, object bodies).
//
// Input: the bytes a client sends on one connection, after TLS. They are read as the session
// (api/detail/session_reading.cpp) reads them: Beast's parser held to the server's limits (scaled
// down, so that small inputs reach them: 4,000 bytes of header, 8,000 of body, 1,000 on a path
// answered without a token, which here is any request without an Authorization header), several
// requests per connection while they keep it alive, the input handed over in pieces whose size the
// first byte chooses. Each request read is then decoded as rest_handler.cpp decodes it before
// asking the master: route, dryRun, list parameters, label and field selectors, kubectl's protobuf
// envelope, and by method the object body (POST, PUT), the patch applied to an object of the
// route's kind (PATCH), or DeleteOptions (DELETE).
// TLS, sockets, timeouts, authentication and the master are not driven.
//
// Asserts, besides no crash and no sanitizer report (memory included):
//   - a request that cannot be read is answered 400, 413, 414 or 431;
//   - every refusal is a Kubernetes Status whose code is the HTTP status, and a 4xx;
//   - no body is read beyond its limit;
//   - a decoded object is of the route's kind, in the route's namespace.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "api/http_request_reader.hpp"
#include "api/object_body.hpp"
#include "api/patch.hpp"
#include "api/protobuf.hpp"
#include "api/request_body.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "api/routes.hpp"
#include "fuzz/fuzz_check.hpp"
#include "messages/field_selector.hpp"
#include "messages/label_selector.hpp"

using namespace capstan;
using namespace capstan::api;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

// The client's bytes as a socket hands them over: at most `piece` bytes per read, then the
// end of the stream.
class byte_stream {
public:
  byte_stream(const char* data, std::size_t size, std::size_t piece)
      : data_(data), size_(size), piece_(piece) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::beast::error_code& ec) {
    if (offset_ == size_) {
      ec = net::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t n = net::buffer_copy(
        buffers, net::buffer(data_ + offset_, std::min(piece_, size_ - offset_)));
    offset_ += n;
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::beast::error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec)
      throw boost::system::system_error(ec);
    return n;
  }

private:
  const char* data_;
  std::size_t size_;
  std::size_t piece_;
  std::size_t offset_ = 0;
};

server_limits fuzz_limits() {
  server_limits limits;
  limits.max_header_bytes = 4000;
  limits.max_body_bytes = 8000;
  limits.max_public_body_bytes = 1000;
  return limits;
}

// A refusal is a Status whose code is the HTTP status, one of `allowed` when given.
void check_refusal(const http_response& out, std::initializer_list<int> allowed = {}) {
  FUZZ_CHECK(out.status >= 400 && out.status < 500,
             "a request is refused with " + std::to_string(out.status));
  if (allowed.size() > 0)
    FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), out.status) != allowed.end(),
               "a request that cannot be read is refused with " + std::to_string(out.status));
  auto body = messages::json::parse(out.body, nullptr, false);
  FUZZ_CHECK(body.is_object() && body.value("kind", "") == "Status" &&
                 body.value("code", 0) == out.status,
             "a refusal is not a Status with its code: " + out.body);
}

// The object body of a create or update, checked against the route.
void decode(const http_request& req, const route& r) {
  std::vector<std::string> warnings;
  auto decoded = decode_object(req, r, warnings);
  if (auto* refused = std::get_if<http_response>(&decoded))
    return check_refusal(*refused);
  const auto& object = std::get<messages::any_object>(decoded);
  FUZZ_CHECK(messages::kind_of(object) == r.kind, "a body decoded as another kind");
  if (messages::info(r.kind).namespaced)
    FUZZ_CHECK(messages::meta_of(object).namespace_ == r.ns,
               "a body decoded into another namespace");
}

// What rest_handler does with a request before it asks the master.
void handle(http_request req) {
  route r = parse_route(req.path);
  if (!r.ok)
    return;
  if (!req.body.empty() && req.content_type.find("protobuf") != std::string::npos) {
    auto converted = object_from_protobuf(req.body);
    if (!converted)
      return;
    req.body = dump_json(*converted);
    req.content_type = "application/json";
  }
  auto dry = read_dry_run(req);
  if (auto* refused = std::get_if<http_response>(&dry))
    return check_refusal(*refused);
  if (auto it = req.query.find("labelSelector"); it != req.query.end())
    (void)messages::label_selector::parse(it->second);
  if (auto it = req.query.find("fieldSelector"); it != req.query.end())
    (void)messages::field_selector::parse(it->second, r.kind);
  auto params = read_list_params(req);
  if (auto* refused = std::get_if<http_response>(&params))
    check_refusal(*refused);
  (void)query_flag(req, "watch");

  if (req.method == "POST" || req.method == "PUT")
    return decode(req, r);
  if (req.method == "PATCH") {
    auto parsed = parse_body(req, "the patch");
    if (auto* refused = std::get_if<http_response>(&parsed))
      return check_refusal(*refused);
    const auto& patch = std::get<messages::json>(parsed);
    auto base = messages::make_object(r.kind);
    messages::meta_of(base).name = r.name;
    messages::meta_of(base).namespace_ = messages::info(r.kind).namespaced ? r.ns : "";
    messages::json doc = messages::to_json(base);
    if (req.content_type.rfind("application/json-patch+json", 0) == 0) {
      std::string error;
      auto patched = json_patch(doc, patch, &error);
      if (!patched) {
        FUZZ_CHECK(!error.empty(), "a refused JSON patch says nothing");
        return;
      }
      doc = std::move(*patched);
    } else if (req.content_type.rfind("application/strategic-merge-patch+json", 0) == 0) {
      doc = strategic_merge_patch(doc, patch);
    } else {
      doc = merge_patch(doc, patch);
    }
    http_request as_put = req;
    as_put.body = dump_json(doc);
    as_put.content_type = "application/json";
    return decode(as_put, r);
  }
  if (req.method == "DELETE" && !req.body.empty()) {
    actors::delete_op op;
    bool dry_run = false;
    if (auto refused = read_delete_options(req.body, op, dry_run))
      check_refusal(*refused);
  }
}

// Reads requests off one connection as the session does, while the client keeps it alive.
void serve(byte_stream& stream) {
  static const server_limits limits = fuzz_limits();
  boost::beast::flat_buffer buffer;  // the connection's, kept across its requests
  for (int requests = 0; requests < 8; ++requests) {
    request_parser parser;
    limit_request_parser(parser, limits);
    boost::beast::error_code ec;
    http::read_header(stream, buffer, parser, ec);
    if (ec == http::error::end_of_stream)
      return;  // the client closed between requests
    if (ec)
      return check_refusal(
          read_error_answer(ec, parser, limits.max_header_bytes, limits.max_body_bytes),
          {400, 413, 414, 431});
    // Without a token only the public paths are answered, with their smaller body limit.
    const bool open = parser.get()[http::field::authorization].empty();
    auto body_limit = request_body_limit(parser, limits, open);
    if (auto* refused = std::get_if<http_response>(&body_limit))
      return check_refusal(*refused, {413});
    const std::size_t limit = std::get<std::size_t>(body_limit);
    parser.body_limit(limit);
    if (!parser.is_done()) {
      http::read(stream, buffer, parser, ec);
      if (ec == http::error::body_limit)
        return check_refusal(read_error_answer(ec, parser, limits.max_header_bytes, limit),
                             {413});
      if (ec)
        return;  // the session closes the connection
    }
    auto request = parser.release();
    FUZZ_CHECK(request.body().size() <= limit, "a body was read beyond its limit");
    const bool keep_alive = request.keep_alive();
    if (request.method() == http::verb::head)
      request.method(http::verb::get);
    handle(to_http_request(request));
    if (!keep_alive)
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  byte_stream stream(reinterpret_cast<const char*>(data) + 1, size - 1, 1 + data[0] % 64 * 64);
  serve(stream);
  return 0;
}
