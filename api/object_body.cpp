#include "api/object_body.hpp"

#include "api/request_body.hpp"
#include "api/responses.hpp"

namespace capstan::api {

using namespace messages;

std::variant<any_object, http_response> decode_object(const http_request& req, const route& r,
                                                      std::vector<std::string>& warnings) {
  std::string validation =
      req.query.count("fieldValidation") ? req.query.at("fieldValidation") : "Warn";
  if (validation != "Strict" && validation != "Warn" && validation != "Ignore")
    return status_error(
        400, "BadRequest",
        "fieldValidation must be one of Strict, Warn or Ignore, not \"" + validation + "\"");
  auto parsed = parse_body(req, "the request body");
  if (auto* bad = std::get_if<http_response>(&parsed))
    return *bad;
  json doc = std::get<json>(std::move(parsed));
  if (doc.is_object() && !doc.contains("kind"))
    doc["kind"] = std::string(info(r.kind).name);
  if (doc.is_object() && !doc.contains("apiVersion"))
    doc["apiVersion"] = api_version(r.kind);
  field_errors all;
  auto object = object_from_json(doc, all);
  std::string unknown, malformed;
  for (const auto& e : all) {
    if (e.type == field_error_type::unknown_field)
      unknown += (unknown.empty() ? "" : ", ") + ("unknown field " + dump_json(json(e.field)));
    else
      malformed += (malformed.empty() ? "" : "; ") + e.to_string();
  }
  const std::string kind_name(info(r.kind).name);
  const std::string cannot =
      kind_name + " in version \"v1\" cannot be handled as a " + kind_name + ": ";
  if (!object || !malformed.empty())
    return status_error(400, "BadRequest", cannot + (malformed.empty() ? unknown : malformed));
  if (!unknown.empty() && validation == "Strict")
    return status_error(400, "BadRequest", cannot + "strict decoding error: " + unknown);
  if (validation == "Warn")
    for (const auto& e : all)
      warnings.push_back("unknown field " + dump_json(json(e.field)));
  if (kind_of(*object) != r.kind)
    return status_error(400, "BadRequest",
                        "the kind of the object (" + std::string(info(kind_of(*object)).name) +
                            ") does not match the resource (" + std::string(info(r.kind).resource) +
                            ")");
  auto& meta = meta_of(*object);
  if (info(r.kind).namespaced) {
    if (!meta.namespace_.empty() && meta.namespace_ != r.ns)
      return status_error(
          400, "BadRequest",
          "the namespace of the provided object does not match the namespace sent on the request");
    meta.namespace_ = r.ns;
  } else {
    meta.namespace_.clear();  // as kube-apiserver does for cluster-scoped objects
  }
  return std::move(*object);
}

std::optional<http_response> read_delete_options(const std::string& body, actors::delete_op& op,
                                                 bool& dry_run) {
  auto parsed = parse_json_text(body, "DeleteOptions");
  if (auto* bad = std::get_if<http_response>(&parsed))
    return *bad;
  json options = std::get<json>(std::move(parsed));
  if (!options.is_object())
    return status_error(400, "BadRequest", "DeleteOptions must be a JSON object");
  if (auto it = options.find("preconditions"); it != options.end() && it->is_object()) {
    if (auto uid = it->find("uid"); uid != it->end() && uid->is_string())
      op.uid_precondition = uid->get<std::string>();
    if (auto rv = it->find("resourceVersion"); rv != it->end() && rv->is_string())
      op.resource_version_precondition = rv->get<std::string>();
  }
  if (auto it = options.find("gracePeriodSeconds"); it != options.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0)
      return status_error(422, "Invalid",
                          "DeleteOptions.gracePeriodSeconds: Invalid value: " + dump_json(*it) +
                              ": must be a non-negative integer");
    op.grace_period_seconds = it->get<int64_t>();
  }
  if (auto it = options.find("dryRun"); it != options.end() && !it->is_null()) {
    if (!it->is_array())
      return status_error(400, "BadRequest", "dryRun must be a list");
    for (const auto& v : *it) {
      if (v != "All")
        return status_error(400, "BadRequest",
                            "dryRun: Unsupported value: " + dump_json(v) +
                                ": supported values: \"All\"");
      dry_run = true;
    }
  }
  return std::nullopt;
}

}  // namespace capstan::api
