#include "api/object_writes.hpp"

#include "api/field_manager.hpp"
#include "api/forbidden.hpp"
#include "api/managed_fields.hpp"
#include "api/node_restriction.hpp"
#include "api/object_body.hpp"
#include "api/patch.hpp"
#include "api/read_model_node_graph.hpp"
#include "api/request_body.hpp"
#include "api/request_params.hpp"
#include "api/command_status.hpp"
#include "api/responses.hpp"
#include "auth/request_authorizer.hpp"
#include "messages/defaults.hpp"

namespace capstan::api {

namespace {

using namespace messages;
using actors::command_reply;
using actors::error_code;

constexpr int write_attempts = 5;

http_response not_found(const route& r) {
  const std::string resource = group_resource(r.kind);
  return status_error(404, "NotFound", resource + " \"" + r.name + "\" not found", resource,
                      r.name);
}

store::object_key key_of(const route& r) {
  return {info(r.kind).namespaced ? r.ns : "", r.name};
}

// The object as the request makes it, defaulted as the master will default it: what
// record_update compares with the stored object.
json defaulted_json(any_object object) {
  apply_defaults(object);
  return to_json(object);
}

// Sets the managedFields an Update by the request's manager leaves (none when the body asks
// for a reset). `before` is the stored object (null for a create).
void record_ownership(const write_context& w, const any_object* before, any_object& after,
                      bool reset, const std::string& subresource) {
  auto& meta = meta_of(after);
  if (reset) {
    meta.managed_fields.clear();
    return;
  }
  std::optional<json> before_json;
  if (before)
    before_json = to_json(*before);
  meta.managed_fields = record_update(
      w.r.kind, before_json ? &*before_json : nullptr, defaulted_json(after),
      before ? meta_of(*before).managed_fields : managed_fields{}, w.manager, subresource,
      timestamp::now());
}

bool body_resets_ownership(const http_request& req) {
  auto parsed = parse_body(req, "the request body");
  auto* body = std::get_if<json>(&parsed);
  return body && resets_managed_fields(*body);
}

http_response command_answer(const write_context& w, const command_reply& reply, int status,
                             std::vector<std::string> warnings = {}) {
  if (!reply.ok())
    return reply_error(reply, w.r.kind, w.r.name);
  auto out = json_response(status, to_json(*reply.object));
  out.warnings = std::move(warnings);
  return out;
}

actors::object_command update_command(const write_context& w, any_object object) {
  actors::object_command c{w.r.kind, key_of(w.r), w.req.user.name, actors::update_op{object}};
  if (w.r.sub == "status")
    c.op = actors::status_op{std::move(object)};
  c.dry_run = w.dry_run;
  return c;
}

// Kubernetes' RBAC escalation check on a role or binding about to be written: a user may not
// grant what they do not hold (unless they may `escalate` or `bind`). nullopt for other kinds
// and for grants the user may make.
std::optional<http_response> grant_refusal_of(const write_context& w, const any_object& object) {
  std::optional<auth::grant_refusal> refusal;
  auto policy = w.master.model().policy();
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_base_of_v<role, T>)
          refusal = policy->role_escalation(w.req.user, o, w.r.name);
        else if constexpr (std::is_base_of_v<role_binding, T>)
          refusal = policy->binding_escalation(w.req.user, o);
      },
      object);
  if (!refusal)
    return std::nullopt;
  const std::string what = group_resource(w.r.kind) + " \"" + meta_of(object).name + "\"";
  if (refusal->role_not_found)
    return status_error(404, "NotFound", refusal->message);
  return status_error(403, "Forbidden", what + " is forbidden: " + refusal->message,
                      std::string(info(w.r.kind).resource), meta_of(object).name);
}

// NodeRestriction on a write of a Node's object (not its status) by a node: a 403 when it
// changes what a node may not change of itself; nullopt otherwise. `before` is null for a
// create.
std::optional<http_response> node_restriction_of(const write_context& w, const any_object* before,
                                                 const any_object& object) {
  if (w.r.sub == "status")
    return std::nullopt;
  auto refusal = node_restriction_refusal(w.req.user, before, object);
  if (!refusal)
    return std::nullopt;
  return status_error(403, "Forbidden",
                      group_resource(w.r.kind) + " \"" + meta_of(object).name +
                          "\" is forbidden: " + *refusal,
                      std::string(info(w.r.kind).resource), meta_of(object).name);
}

}  // namespace

http_response create_object(const write_context& w) {
  std::vector<std::string> warnings;
  auto decoded = decode_object(w.req, w.r, warnings);
  if (auto* err = std::get_if<http_response>(&decoded))
    return *err;
  auto object = std::get<any_object>(std::move(decoded));
  record_ownership(w, nullptr, object, body_resets_ownership(w.req), "");
  if (auto refused = grant_refusal_of(w, object))
    return *refused;
  if (auto refused = node_restriction_of(w, nullptr, object))
    return *refused;
  std::string name = meta_of(object).name;
  auto reply = w.master.create(std::move(object), w.req.user.name, w.dry_run);
  if (!reply.ok())
    return reply_error(reply, w.r.kind, name);
  auto created = json_response(201, to_json(*reply.object));
  created.warnings = std::move(warnings);
  return created;
}

http_response update_object(const write_context& w) {
  const auto& req = w.req;
  const bool patch = req.method == "PATCH";
  std::optional<json> patch_body;
  if (patch) {
    auto parsed = parse_body(req, "the patch");
    if (auto* bad = std::get_if<http_response>(&parsed))
      return *bad;
    patch_body = std::get<json>(std::move(parsed));
  }
  const bool reset = !patch && body_resets_ownership(req);
  const std::string subresource = w.r.sub == "status" ? "status" : "";
  for (int attempt = 0; attempt < write_attempts; ++attempt) {
    auto base = w.master.model().get(w.r.kind, key_of(w.r));
    if (!base)
      return not_found(w.r);
    std::variant<any_object, http_response> decoded = http_response{};
    std::vector<std::string> warnings;
    if (!patch) {
      decoded = decode_object(req, w.r, warnings);
    } else {
      json doc = to_json(*base);
      if (req.content_type.rfind("application/json-patch+json", 0) == 0) {
        std::string error;
        auto patched = json_patch(doc, *patch_body, &error);
        if (!patched)
          return status_error(422, "Invalid", error);
        doc = std::move(*patched);
      } else if (req.content_type.rfind("application/strategic-merge-patch+json", 0) == 0) {
        doc = strategic_merge_patch(doc, *patch_body);
      } else {
        doc = merge_patch(doc, *patch_body);
      }
      http_request as_put = req;
      as_put.body = dump_json(doc);
      as_put.content_type = "application/json";
      decoded = decode_object(as_put, w.r, warnings);
    }
    if (auto* err = std::get_if<http_response>(&decoded))
      return *err;
    auto object = std::get<any_object>(std::move(decoded));
    if (meta_of(object).name != w.r.name)
      return status_error(400, "BadRequest",
                          "the name of the object does not match the name on the URL");
    // A patch applies to the version it was computed on: a concurrent change is a conflict
    // that the next attempt resolves by patching the newer version — unless the patch itself
    // named a resourceVersion (a precondition).
    bool retry = patch && meta_of(object).resource_version == meta_of(*base).resource_version;
    // NodeRestriction judged the change against `base`: a replace without a resourceVersion
    // must then apply to `base` too, or a change made meanwhile (a label removed) would be
    // undone unchecked. A conflict is retried against the newer version.
    if (!patch && meta_of(object).resource_version.empty() &&
        std::holds_alternative<messages::node>(object) && auth::node_name_of(req.user)) {
      meta_of(object).resource_version = meta_of(*base).resource_version;
      retry = true;
    }
    record_ownership(w, &*base, object, reset, subresource);
    if (auto refused = grant_refusal_of(w, object))
      return *refused;
    if (auto refused = node_restriction_of(w, &*base, object))
      return *refused;
    auto reply = w.master.command(update_command(w, std::move(object)));
    if (retry && !reply.ok() && reply.error->code == error_code::conflict)
      continue;
    return command_answer(w, reply, 200, std::move(warnings));
  }
  return status_error(409, "Conflict", "the object kept changing; try again",
                      std::string(info(w.r.kind).resource), w.r.name);
}

http_response apply_object(const write_context& w) {
  const auto& req = w.req;
  const bool force_given = req.query.count("force") > 0;
  auto manager_it = req.query.find("fieldManager");
  auto problems = validate_patch_options(
      true, manager_it == req.query.end() ? "" : manager_it->second, force_given);
  if (!problems.empty())
    return status_error(422, "Invalid", invalid_patch_options_message(problems), "", "",
                        problems);
  const bool force = query_flag(req, "force");
  auto parsed = parse_body(req, "the applied configuration");
  if (auto* bad = std::get_if<http_response>(&parsed))
    return *bad;
  json config = std::get<json>(std::move(parsed));
  if (!config.is_object())
    return status_error(400, "BadRequest", "the applied configuration must be an object");
  for (int attempt = 0; attempt < write_attempts; ++attempt) {
    auto live = w.master.model().get(w.r.kind, key_of(w.r));
    std::optional<json> live_json;
    if (live)
      live_json = to_json(*live);
    auto outcome = apply(w.r.kind, live_json ? &*live_json : nullptr,
                         live ? meta_of(*live).managed_fields : managed_fields{}, config,
                         w.manager, force, timestamp::now());
    if (auto* conflicts = std::get_if<apply_conflicts>(&outcome)) {
      field_errors causes;
      json list = json::array();
      for (const auto& c : conflicts->conflicts)
        list.push_back({{"reason", "FieldManagerConflict"},
                        {"message", "conflict with " + c.manager},
                        {"field", c.field}});
      auto answer = status_error(409, "Conflict", conflicts->message(),
                                 std::string(info(w.r.kind).resource), w.r.name);
      json body = json::parse(answer.body);
      body["details"]["causes"] = list;
      answer.body = dump_json(body);
      return answer;
    }
    if (auto* error = std::get_if<apply_error>(&outcome))
      return status_error(400, "BadRequest", error->message);
    auto& result = std::get<apply_result>(outcome);
    if (live && !result.object_changed &&
        to_json_part(result.managed) == to_json_part(meta_of(*live).managed_fields))
      return json_response(200, *live_json);  // nothing changes: nothing is journaled
    json& doc = result.object;
    if (!doc.contains("kind"))
      doc["kind"] = std::string(info(w.r.kind).name);
    if (!doc.contains("apiVersion"))
      doc["apiVersion"] = api_version(w.r.kind);
    http_request as_put = req;
    as_put.body = dump_json(doc);
    as_put.content_type = "application/json";
    as_put.query["fieldValidation"] = "Strict";
    std::vector<std::string> warnings;
    auto decoded = decode_object(as_put, w.r, warnings);
    if (auto* err = std::get_if<http_response>(&decoded))
      return *err;
    auto object = std::get<any_object>(std::move(decoded));
    auto& meta = meta_of(object);
    if (meta.name != w.r.name)
      return status_error(400, "BadRequest",
                          "the name of the object does not match the name on the URL");
    meta.managed_fields = std::move(result.managed);
    if (auto refused = grant_refusal_of(w, object))
      return *refused;
    if (auto refused = node_restriction_of(w, live ? &*live : nullptr, object))
      return *refused;
    if (!live) {
      // An apply that creates is a create: the request was authorized as a patch only.
      auth::request_attributes create{w.req.user,        "create",
                                      true,              info(w.r.kind).namespaced ? w.r.ns : "",
                                      std::string(info(w.r.kind).group),
                                      std::string(info(w.r.kind).resource),
                                      "",                w.r.name,
                                      w.req.path,        {}};
      const read_model_node_graph graph(w.master.model());
      auto decision = auth::request_authorizer(w.master.model().policy(), graph).authorize(create);
      if (!decision.allowed)
        return forbidden(create, decision.reason);
      auto reply = w.master.create(std::move(object), req.user.name, w.dry_run);
      if (!reply.ok() && reply.error->code == error_code::already_exists)
        continue;  // created meanwhile: apply to it
      return command_answer(w, reply, 201);
    }
    meta.resource_version = meta_of(*live).resource_version;
    auto reply = w.master.command(update_command(w, std::move(object)));
    if (!reply.ok() && reply.error->code == error_code::conflict)
      continue;
    return command_answer(w, reply, 200);
  }
  return status_error(409, "Conflict", "the object kept changing; try again",
                      std::string(info(w.r.kind).resource), w.r.name);
}

}  // namespace capstan::api
