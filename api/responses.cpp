#include "api/responses.hpp"

namespace capstan::api {

using messages::json;

std::string dump_json(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

http_response json_response(int status, const json& body) {
  http_response r;
  r.status = status;
  r.body = dump_json(body);
  return r;
}

http_response status_error(int code, const std::string& reason, const std::string& message,
                           const std::string& kind, const std::string& name,
                           const messages::field_errors& causes) {
  using messages::field_error_type;
  json details = json::object();
  if (!name.empty())
    details["name"] = name;
  if (!kind.empty())
    details["kind"] = kind;
  if (!causes.empty()) {
    json list = json::array();
    for (const auto& c : causes) {
      std::string t = c.type == field_error_type::required        ? "FieldValueRequired"
                      : c.type == field_error_type::duplicate     ? "FieldValueDuplicate"
                      : c.type == field_error_type::not_supported ? "FieldValueNotSupported"
                      : c.type == field_error_type::forbidden     ? "FieldValueForbidden"
                      : c.type == field_error_type::not_found     ? "FieldValueNotFound"
                      : c.type == field_error_type::too_long      ? "FieldValueTooLong"
                                                                  : "FieldValueInvalid";
      std::string text = c.to_string();
      auto colon = text.find(": ");
      list.push_back({{"reason", t},
                      {"message", colon == std::string::npos ? text : text.substr(colon + 2)},
                      {"field", c.field}});
    }
    details["causes"] = list;
  }
  json body = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
               {"status", "Failure"}, {"message", message}, {"reason", reason},
               {"details", details},  {"code", code}};
  return json_response(code, body);
}

}  // namespace capstan::api
