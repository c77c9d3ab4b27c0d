// Fuzz target: the three PATCH flavours (api/patch.hpp) applied as the API server applies them
// (api/object_writes.cpp): the patch body read by parse_body, applied to the stored object's
// JSON, and the result decoded as the object a PUT would carry (api/object_body.hpp).
//
// Input: one byte choosing the flavour (merge, strategic merge, JSON patch) and the kind, then
// the object to patch (JSON or YAML, as a manifest), a NUL byte, and the patch body. The object
// is decoded, defaulted and encoded again as the server holds it; text that is no object of
// the kind is patched as the JSON tree it is (patch code takes any tree).
//
// Asserts, besides no crash and no sanitizer report (memory included):
//   - a JSON merge patch applied twice gives what it gave once (RFC 7386 patches are
//     idempotent);
//   - a JSON patch either applies or says why; an empty list of operations changes nothing;
//   - the patched document is either decoded as an object of the kind or refused with a 4xx
//     Kubernetes Status whose code is the HTTP status.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "api/object_body.hpp"
#include "api/patch.hpp"
#include "api/request_body.hpp"
#include "api/responses.hpp"
#include "fuzz/fuzz_check.hpp"
#include "messages/defaults.hpp"
#include "messages/json_codec.hpp"

using namespace capstan;
using namespace capstan::api;
using messages::json;

namespace {

const char* const content_types[] = {"application/merge-patch+json",
                                     "application/strategic-merge-patch+json",
                                     "application/json-patch+json"};

void check_refusal(const http_response& out) {
  FUZZ_CHECK(out.status >= 400 && out.status < 500,
             "a patch is refused with " + std::to_string(out.status));
  auto body = json::parse(out.body, nullptr, false);
  FUZZ_CHECK(body.is_object() && body.value("kind", "") == "Status" &&
                 body.value("code", 0) == out.status,
             "a refusal is not a Status with its code: " + out.body);
}

// The document the server patches: the object as it stores it when the text is one.
json target_of(const std::string& text, messages::object_kind kind) {
  http_request req;
  req.body = text;
  req.content_type = "application/yaml";
  auto parsed = parse_body(req, "the object");
  if (!std::holds_alternative<json>(parsed))
    return json::object();
  json tree = std::get<json>(std::move(parsed));
  messages::field_errors errors;
  auto object = messages::object_from_json(tree, errors);
  if (!object || !errors.empty() || messages::kind_of(*object) != kind)
    return tree;
  messages::apply_defaults(*object);
  return messages::to_json(*object);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const int flavour = data[0] % 3;
  const auto kind = static_cast<messages::object_kind>(data[0] / 3 % messages::object_kind_count);
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t nul = input.find('\0');
  if (nul == std::string::npos)
    return 0;

  http_request req;
  req.method = "PATCH";
  req.content_type = content_types[flavour];
  req.body = input.substr(nul + 1);
  auto parsed = parse_body(req, "the patch");
  if (auto* refused = std::get_if<http_response>(&parsed)) {
    check_refusal(*refused);
    return 0;
  }
  const json& patch = std::get<json>(parsed);
  const json target = target_of(input.substr(0, nul), kind);

  json doc;
  if (flavour == 0) {
    doc = merge_patch(target, patch);
    FUZZ_CHECK(merge_patch(doc, patch) == doc, "a merge patch applied twice changed more");
  } else if (flavour == 1) {
    doc = strategic_merge_patch(target, patch);
  } else {
    std::string error;
    auto patched = json_patch(target, patch, &error);
    if (patch.is_array() && patch.empty())
      FUZZ_CHECK(patched && *patched == target, "an empty JSON patch changed the document");
    if (!patched) {
      FUZZ_CHECK(!error.empty(), "a refused JSON patch says nothing");
      return 0;
    }
    doc = std::move(*patched);
  }

  route r;
  r.kind = kind;
  r.ok = true;
  r.ns = messages::info(kind).namespaced ? "default" : "";
  http_request as_put = req;
  as_put.method = "PUT";
  as_put.body = dump_json(doc);
  as_put.content_type = "application/json";
  std::vector<std::string> warnings;
  auto decoded = decode_object(as_put, r, warnings);
  if (auto* refused = std::get_if<http_response>(&decoded))
    check_refusal(*refused);
  else
    FUZZ_CHECK(messages::kind_of(std::get<messages::any_object>(decoded)) == kind,
               "a patched object decoded as another kind");
  return 0;
}
