#include "api/request_body.hpp"

#include "api/responses.hpp"
#include "messages/json_input.hpp"
#include "messages/yaml_codec.hpp"

namespace capstan::api {

using messages::json;

namespace {

bool is_yaml(const std::string& content_type) {
  return content_type.rfind("application/yaml", 0) == 0 ||
         content_type.rfind("application/apply-patch+yaml", 0) == 0 ||
         content_type.rfind("text/yaml", 0) == 0;
}

}  // namespace

std::variant<json, http_response> parse_json_text(const std::string& text, const std::string& what) {
  // Bounded in size and depth, linear in the number of fields, and naming the field at fault
  // (invalid UTF-8 in metadata.labels.app); the message never quotes input bytes.
  auto parsed = messages::parse_json_input(text);
  if (auto* e = std::get_if<messages::json_input_error>(&parsed)) {
    http_response out = status_error(400, "BadRequest", what + " is not valid JSON: " + e->message);
    if (!e->field.empty()) {
      json body = json::parse(out.body);
      body["details"]["causes"] = json::array(
          {{{"reason", "FieldValueInvalid"}, {"message", e->message}, {"field", e->field}}});
      out.body = dump_json(body);
    }
    return out;
  }
  return std::get<json>(std::move(parsed));
}

std::variant<json, http_response> parse_body(const http_request& req, const std::string& what) {
  // kubectl's server-side apply sends JSON under the YAML media type: JSON is YAML, so both go
  // through the JSON reader first when the text is JSON.
  auto first = req.body.find_first_not_of(" \t\r\n");
  bool looks_json = first != std::string::npos && (req.body[first] == '{' || req.body[first] == '[');
  if (!is_yaml(req.content_type) || looks_json)
    return parse_json_text(req.body, what);
  try {
    auto documents = messages::parse_yaml_documents(req.body);
    if (documents.size() != 1)
      return status_error(400, "BadRequest",
                          what + " must hold exactly one YAML document, not " +
                              std::to_string(documents.size()));
    return std::move(documents.front().tree);
  } catch (const std::exception& e) {
    return status_error(400, "BadRequest", what + " is not valid YAML: " + e.what());
  }
}

}  // namespace capstan::api
