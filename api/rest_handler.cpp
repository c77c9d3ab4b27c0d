#include "api/rest_handler.hpp"

#include "api/audit_api.hpp"
#include "api/list_pages.hpp"
#include "api/members_api.hpp"
#include "api/discovery.hpp"
#include "api/io_gate.hpp"
#include "api/log_stream.hpp"
#include "api/pod_attach.hpp"
#include "api/pod_exec.hpp"
#include "api/pod_portforward.hpp"
#include "api/field_manager.hpp"
#include "api/managed_fields.hpp"
#include "api/object_body.hpp"
#include "api/object_writes.hpp"
#include "api/openapi.hpp"
#include "api/patch.hpp"
#include "api/protobuf.hpp"
#include "api/request_body.hpp"
#include "api/request_params.hpp"
#include "api/command_status.hpp"
#include "api/responses.hpp"
#include "api/routes.hpp"
#include "api/subresources.hpp"
#include "api/tables.hpp"
#include "api/watch_stream.hpp"
#include "messages/defaults.hpp"
#include "messages/validation.hpp"

namespace capstan::api {

namespace {

using namespace messages;
using actors::command_reply;
using actors::error_code;

int64_t now_seconds() {
  return timestamp::now().seconds;
}

bool wants_table(const http_request& r) {
  return r.accept.find("as=Table") != std::string::npos;
}

json with_kind(const any_object& o) {
  return to_json(o);
}

std::string list_kind(object_kind kind) {
  return std::string(info(kind).name) + "List";
}

}  // namespace

rest_handler::rest_handler(caf::actor_system& system, actors::master& master, watch_hub& watches,
                           std::shared_ptr<io_gate> gate, std::string server_address)
    : system_(system), master_(master), watches_(watches), gate_(std::move(gate)),
      server_address_(std::move(server_address)) {}

http_response rest_handler::handle(const http_request& req) {
  const auto& model = master_.model();
  if (auto answer = health(req, master_.journal_failure()))
    return *answer;
  if (auto answer = discovery(req, server_address_))
    return *answer;
  if (auto document = openapi_document(req.path, req.accept)) {
    http_response r;
    r.content_type = document->content_type;
    r.body = document->body;
    return r;
  }
  if (is_audit_path(req.path))
    return audit_api(master_, req);
  if (is_members_path(req.path))
    return members_api(master_, req);
  route r = parse_route(req.path);
  if (!r.ok)
    return status_error(404, "NotFound", "the server could not find the requested resource");
  // A patch says which kind it is by its media type, as Kubernetes requires (no guessing).
  if (req.method == "PATCH") {
    bool known = false;
    for (const char* type : {"application/json-patch+json", "application/merge-patch+json",
                             "application/strategic-merge-patch+json", "application/apply-patch+yaml"})
      known |= req.content_type.rfind(type, 0) == 0;
    if (!known)
      return status_error(415, "UnsupportedMediaType",
                          "the body of the request was in an unknown format - accepted media types "
                          "include: application/json-patch+json, application/merge-patch+json, "
                          "application/apply-patch+yaml, application/strategic-merge-patch+json");
  }
  // JSON, and the protobuf bodies kubectl insists on (api/protobuf.hpp).
  http_request converted;
  if (!req.body.empty() && req.content_type.find("protobuf") != std::string::npos) {
    auto ns = object_from_protobuf(req.body);
    if (!ns)
      return status_error(
          415, "UnsupportedMediaType",
          "the body of the request was not a protobuf message capstan reads (kubectl's "
          "Namespace, Secret, ConfigMap, ServiceAccount, RBAC objects, Eviction and reviews) - "
          "accepted media types include: application/json, application/yaml, "
          "application/vnd.kubernetes.protobuf");
    converted = req;
    converted.body = dump_json(*ns);
    converted.content_type = "application/json";
    return handle(converted);
  }
  const std::string resource = group_resource(r.kind);
  const std::string cause = req.user.name;

  auto dry = read_dry_run(req);
  if (auto* bad = std::get_if<http_response>(&dry))
    return *bad;
  const bool dry_run = std::get<bool>(dry);
  // Every command of a dry-run request is planned and answered, never journaled.
  auto command = [&](actors::object_command c) {
    c.dry_run = c.dry_run || dry_run;
    return master_.command(std::move(c));
  };
  // A field manager names the writer in managedFields: valid UTF-8, printable, at most 128.
  if (auto fm = req.query.find("fieldManager"); fm != req.query.end()) {
    field_errors problems;
    validate_field_manager(fm->second, "fieldManager", problems);
    if (!problems.empty())
      return status_error(422, "Invalid", invalid_patch_options_message(problems), "", "",
                          problems);
  }
  const write_context writes{
      master_, req, r, dry_run,
      manager_or_user_agent(req.query.count("fieldManager") ? req.query.at("fieldManager") : "",
                            req.user_agent)};
  auto object_reply = [&](const command_reply& reply, int ok_status) {
    if (!reply.ok())
      return reply_error(reply, r.kind, r.name);
    return json_response(ok_status, with_kind(*reply.object));
  };

  // ---- collections -------------------------------------------------------------------------
  if (r.name.empty()) {
    if (req.method == "GET") {
      label_selector labels;
      field_selector fields;
      if (auto it = req.query.find("labelSelector"); it != req.query.end()) {
        auto parsed = label_selector::parse(it->second);
        if (auto* err = std::get_if<selector_syntax_error>(&parsed))
          return status_error(400, "BadRequest",
                              "unable to parse requirement: " + err->to_string(it->second));
        labels = std::get<label_selector>(parsed);
      }
      if (auto it = req.query.find("fieldSelector"); it != req.query.end()) {
        auto parsed = field_selector::parse(it->second, r.kind);
        if (auto* err = std::get_if<std::string>(&parsed))
          return status_error(400, "BadRequest", *err);
        fields = std::get<field_selector>(parsed);
      }
      auto params = read_list_params(req);
      if (auto* bad = std::get_if<http_response>(&params))
        return *bad;
      const auto& list = std::get<list_params>(params);
      if (query_flag(req, "watch")) {
        watch_request w;
        w.kind = r.kind;
        w.namespace_ = r.ns;
        w.labels = labels;
        w.fields = fields;
        w.table = wants_table(req);
        w.resource_version = list.resource_version;
        // A watch ends after timeoutSeconds, or like kube-apiserver's default
        // (--min-request-timeout 1800 s) after 30 to 60 minutes; clients then re-watch from the
        // last resourceVersion they saw.
        // Clamped to kube-apiserver's longest (2 x --min-request-timeout = 3600 s).
        w.timeout = std::chrono::seconds(list.timeout_seconds
                                             ? std::min<uint64_t>(list.timeout_seconds, 3600)
                                             : 1800 + std::rand() % 1800);
        return start_watch(master_, watches_, std::move(w));
      }
      // With limit or continue, a page of the read model's table; else the whole list (through
      // the read model's indexes). A list at a resourceVersion (an informer's, "0" at first) is
      // answered whole, as kube-apiserver answers from its cache: pages here are each read at
      // the current state, which an informer must not mistake for one snapshot.
      actors::read_model::list_result result;
      json metadata;
      const std::string token = req.query.count("continue") ? req.query.at("continue") : "";
      const bool at_version = req.query.count("resourceVersion") && !req.query.at("resourceVersion").empty();
      if (!token.empty() && at_version)
        return status_error(400, "BadRequest",
                            "specifying resource version is not allowed when using continue");
      if ((list.limit && !at_version) || !token.empty()) {
        auto paged = list_page_of(model, r.kind, r.ns, labels, fields, list.limit, token);
        if (auto* bad = std::get_if<http_response>(&paged))
          return *bad;
        auto& page = std::get<list_page>(paged);
        result.seq = page.seq;
        result.items = std::move(page.items);
        metadata = {{"resourceVersion", std::to_string(result.seq)}};
        if (!page.continue_token.empty()) {
          metadata["continue"] = page.continue_token;
          // As Kubernetes: a count only when no selector could make it a guess.
          if (labels.empty() && fields.empty())
            metadata["remainingItemCount"] = page.remaining;
        }
      } else {
        result = model.list(r.kind, r.ns, labels, fields);
        metadata = {{"resourceVersion", std::to_string(result.seq)}};
      }
      if (wants_table(req)) {
        json table = table_of(r.kind, result.items, result.seq, now_seconds());
        for (const char* k : {"continue", "remainingItemCount"})
          if (metadata.contains(k))
            table["metadata"][k] = metadata[k];
        return json_response(200, table);
      }
      json items = json::array();
      for (const auto& o : result.items)
        items.push_back(with_kind(o));
      return json_response(200, {{"kind", list_kind(r.kind)},
                                 {"apiVersion", api_version(r.kind)},
                                 {"metadata", std::move(metadata)},
                                 {"items", items}});
    }
    if (req.method == "POST")
      return create_object(writes);
    return status_error(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource");
  }

  // ---- one object ----------------------------------------------------------------------------
  store::object_key key{info(r.kind).namespaced ? r.ns : "", r.name};
  auto current = model.get(r.kind, key);
  const bool apply_patch =
      req.method == "PATCH" && req.content_type.rfind("application/apply-patch", 0) == 0;
  if (apply_patch && r.sub.empty())
    return apply_object(writes);  // creates the object when it is absent
  if (!current && (req.method != "DELETE" || !r.sub.empty()))
    return status_error(404, "NotFound", resource + " \"" + r.name + "\" not found", resource,
                        r.name);

  if (r.sub == "scale") {
    if (r.kind != object_kind::replication_controller)
      return status_error(404, "NotFound", "the server could not find the requested resource");
    const auto& rc = std::get<replication_controller>(*current);
    if (req.method == "GET")
      return json_response(200, scale_of(rc));
    if (req.method != "PUT" && req.method != "PATCH")
      return status_error(405, "MethodNotAllowed",
                          "the scale subresource takes GET, PUT and PATCH");
    auto parsed = parse_body(req, "the Scale");
    if (auto* bad = std::get_if<http_response>(&parsed))
      return *bad;
    json scale = std::get<json>(std::move(parsed));
    if (!scale.is_object())
      return status_error(400, "BadRequest", "the Scale must be a JSON object");
    if (req.method == "PATCH")
      scale = merge_patch(scale_of(rc), scale);
    int64_t replicas = -1;
    if (auto spec = scale.find("spec"); spec != scale.end() && spec->is_object())
      if (auto n = spec->find("replicas"); n != spec->end() && n->is_number_integer())
        replicas = n->get<int64_t>();
    if (replicas < 0 || replicas > INT32_MAX)
      return status_error(422, "Invalid",
                          "Scale.autoscaling \"" + r.name +
                              "\" is invalid: spec.replicas: Invalid value: " +
                              std::to_string(replicas) + ": must be greater than or equal to 0");
    std::string rv;
    if (auto meta = scale.find("metadata"); req.method == "PUT" && meta != scale.end() &&
                                           meta->is_object())
      if (auto v = meta->find("resourceVersion"); v != meta->end() && v->is_string())
        rv = v->get<std::string>();
    auto reply = command(
        {r.kind, key, cause, actors::scale_op{static_cast<int32_t>(replicas), std::nullopt, rv}});
    if (!reply.ok())
      return reply_error(reply, r.kind, r.name);
    return json_response(200, scale_of(std::get<replication_controller>(*reply.object)));
  }
  if (r.sub == "log" && r.kind == object_kind::pod) {
    if (req.method != "GET")
      return status_error(405, "MethodNotAllowed", "the log subresource takes GET");
    return pod_log(system_, master_, gate_, req, std::get<pod>(*current));
  }
  if (r.sub == "exec" && r.kind == object_kind::pod) {
    if (req.method != "GET" && req.method != "POST")
      return status_error(405, "MethodNotAllowed", "the exec subresource takes GET or POST");
    return pod_exec(system_, master_, gate_, req, std::get<pod>(*current));
  }
  if (r.sub == "attach" && r.kind == object_kind::pod) {
    if (req.method != "GET" && req.method != "POST")
      return status_error(405, "MethodNotAllowed", "the attach subresource takes GET or POST");
    return pod_attach(system_, master_, gate_, req, std::get<pod>(*current));
  }
  if (r.sub == "portforward" && r.kind == object_kind::pod) {
    if (req.method != "GET" && req.method != "POST")
      return status_error(405, "MethodNotAllowed", "the portforward subresource takes GET or POST");
    return pod_portforward(system_, master_, gate_, req, std::get<pod>(*current));
  }
  if (r.sub == "eviction" && r.kind == object_kind::pod) {
    if (req.method != "POST")
      return status_error(405, "MethodNotAllowed", "the eviction subresource takes POST");
    return evict_pod(master_, req, key, dry_run);
  }
  // Only pods, RCs and nodes have a status subresource (as discovery lists them); a status is
  // read and written, never deleted (DELETE .../status must not delete the object it names).
  const bool has_status = r.kind == object_kind::pod ||
                          r.kind == object_kind::replication_controller ||
                          r.kind == object_kind::node;
  if (!r.sub.empty() && (r.sub != "status" || !has_status))
    return status_error(404, "NotFound", "the server could not find the requested resource");
  if (!r.sub.empty() && req.method != "GET" && req.method != "PUT" && req.method != "PATCH")
    return status_error(405, "MethodNotAllowed", "the status subresource takes GET, PUT and PATCH");

  if (req.method == "GET")
    return wants_table(req)
               ? json_response(200, table_of(r.kind, {*current}, model.seq(), now_seconds()))
               : json_response(200, with_kind(*current));

  if (req.method == "DELETE") {
    actors::object_command c{r.kind, key, cause, actors::delete_op{}};
    if (!req.body.empty()) {
      auto options = read_delete_options(req.body, std::get<actors::delete_op>(c.op), c.dry_run);
      if (options)
        return *options;
    }
    if (req.query.count("gracePeriodSeconds")) {
      auto grace = query_number(req, "gracePeriodSeconds", 0);
      if (!grace || *grace > INT32_MAX)
        return status_error(400, "BadRequest", "gracePeriodSeconds is a non-negative integer");
      std::get<actors::delete_op>(c.op).grace_period_seconds = static_cast<int64_t>(*grace);
    }
    if (!current)
      return status_error(404, "NotFound", resource + " \"" + r.name + "\" not found", resource,
                          r.name);
    return object_reply(command(std::move(c)), 200);
  }

  if (apply_patch)
    return status_error(400, "BadRequest", "server-side apply to a subresource is not supported");
  if (req.method == "PUT" || req.method == "PATCH") {
    if (req.method == "PATCH" && req.query.count("force"))
      return status_error(422, "Invalid",
                          invalid_patch_options_message(validate_patch_options(
                              false, writes.manager, true)));
    return update_object(writes);
  }
  return status_error(405, "MethodNotAllowed",
                      "the server does not allow this method on the requested resource");
}

}  // namespace capstan::api
