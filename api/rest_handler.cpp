#include "api/rest_handler.hpp"

#include "api/log_stream.hpp"
#include "api/openapi.hpp"
#include "api/patch.hpp"
#include "api/protobuf.hpp"
#include "api/request_body.hpp"
#include "api/request_params.hpp"
#include "api/responses.hpp"
#include "api/tables.hpp"
#include "api/watch_stream.hpp"
#include "messages/defaults.hpp"

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

struct route {
  object_kind kind = object_kind::pod;
  std::string ns;
  std::string name;
  std::string sub;
  bool ok = false;
};

// /api/v1/<res>[/<name>[/<sub>]] and /api/v1/namespaces/<ns>/<res>[/<name>[/<sub>]].
route parse_route(const std::string& path) {
  route r;
  const std::string prefix = "/api/v1/";
  if (path.rfind(prefix, 0) != 0)
    return r;
  std::vector<std::string> parts;
  std::size_t i = prefix.size();
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    std::string part = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!part.empty())
      parts.push_back(url_decode(part));
    if (j == std::string::npos)
      break;
    i = j + 1;
  }
  if (parts.empty())
    return r;
  if (parts[0] == "namespaces" && parts.size() >= 3) {
    r.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
  } else if (parts[0] == "namespaces" && parts.size() == 2) {
    r.kind = object_kind::namespace_;
    r.name = parts[1];
    r.ok = true;
    return r;
  }
  auto kind = kind_from_resource(parts[0]);
  if (!kind || parts.size() > 3)
    return r;
  r.kind = *kind;
  if (parts.size() > 1)
    r.name = parts[1];
  if (parts.size() > 2)
    r.sub = parts[2];
  r.ok = info(*kind).namespaced || r.ns.empty();
  return r;
}

json discovery_resources() {
  json resources = json::array();
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto& ki = info(static_cast<object_kind>(k));
    json verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    json r = {{"name", std::string(ki.resource)},
              {"singularName", std::string(ki.singular)},
              {"namespaced", ki.namespaced},
              {"kind", std::string(ki.name)},
              {"verbs", verbs}};
    if (!ki.short_name.empty())
      r["shortNames"] = {std::string(ki.short_name)};
    auto kind = static_cast<object_kind>(k);
    if (kind == object_kind::pod || kind == object_kind::service ||
        kind == object_kind::replication_controller)
      r["categories"] = {"all"};
    resources.push_back(r);
    if (kind == object_kind::replication_controller)
      resources.push_back({{"name", "replicationcontrollers/scale"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    if (kind == object_kind::pod || kind == object_kind::replication_controller ||
        kind == object_kind::node)
      resources.push_back({{"name", std::string(ki.resource) + "/status"},
                           {"singularName", ""},
                           {"namespaced", ki.namespaced},
                           {"kind", std::string(ki.name)},
                           {"verbs", {"get", "patch", "update"}}});
    if (kind == object_kind::pod) {
      resources.push_back({{"name", "pods/log"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "Pod"},
                           {"verbs", {"get"}}});
      // kubectl drain looks for this entry (group policy) before it evicts.
      resources.push_back({{"name", "pods/eviction"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"group", "policy"},
                           {"version", "v1"},
                           {"kind", "Eviction"},
                           {"verbs", {"create"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", "v1"},
          {"resources", resources}};
}

json scale_of(const replication_controller& rc) {
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata",
           {{"name", rc.metadata.name},
            {"namespace", rc.metadata.namespace_},
            {"uid", rc.metadata.uid},
            {"resourceVersion", rc.metadata.resource_version},
            {"creationTimestamp", rc.metadata.creation_timestamp.to_rfc3339()}}},
          {"spec", {{"replicas", rc.spec.replicas.value_or(0)}}},
          {"status",
           {{"replicas", rc.status.replicas},
            {"selector", label_selector::from_map(rc.spec.selector).to_string()}}}};
}

// Decodes a request body (JSON) into an object of the route's kind. Unknown fields follow the
// request's fieldValidation as in kube-apiserver: Strict (what kubectl sends) rejects them,
// Warn (the default) drops them with a warning, Ignore drops them silently. Malformed fields
// are always errors.
std::variant<any_object, http_response> decode_body(const http_request& req, const route& r,
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
    doc["apiVersion"] = "v1";
  field_errors all;
  auto object = object_from_json(doc, all);
  std::string unknown, malformed;
  for (const auto& e : all) {
    if (e.type == field_error_type::unknown_field)
      unknown += (unknown.empty() ? "" : ", ") + ("unknown field " + json(e.field).dump());
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
      warnings.push_back("unknown field " + json(e.field).dump());
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
  }
  return std::move(*object);
}

// Reads DeleteOptions (JSON): preconditions and dryRun. Returns the 400 to answer when they
// are malformed.
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

}  // namespace

// POST pods/NAME/eviction (policy/v1 Eviction, what `kubectl drain` sends): deletes the pod,
// journaled as an eviction by the user. No PodDisruptionBudgets exist, so none can refuse it.
http_response rest_handler::evict(const http_request& req, const store::object_key& key,
                                  bool dry_run) {
  auto parsed = parse_body(req, "the Eviction");
  if (auto* bad = std::get_if<http_response>(&parsed))
    return *bad;
  json eviction = std::get<json>(std::move(parsed));
  if (!eviction.is_object() || eviction.value("kind", "Eviction") != "Eviction")
    return status_error(400, "BadRequest", "the body must be a policy/v1 Eviction");
  if (auto meta = eviction.find("metadata"); meta != eviction.end() && meta->is_object()) {
    auto name = meta->find("name");
    if (name != meta->end() && (!name->is_string() || name->get<std::string>() != key.name))
      return status_error(400, "BadRequest",
                          "name in URL does not match name in Eviction object");
    auto ns = meta->find("namespace");
    if (ns != meta->end() && ns->is_string() && !ns->get<std::string>().empty() &&
        ns->get<std::string>() != key.namespace_)
      return status_error(400, "BadRequest",
                          "namespace in URL does not match namespace in Eviction object");
  }
  actors::object_command c{object_kind::pod, key, req.user.name,
                           actors::delete_op{"evicted by " + req.user.name + " (Eviction API)"}};
  c.dry_run = dry_run;
  if (auto options = eviction.find("deleteOptions");
      options != eviction.end() && options->is_object()) {
    if (auto bad =
            read_delete_options(options->dump(), std::get<actors::delete_op>(c.op), c.dry_run))
      return *bad;
  }
  auto reply = master_.command(std::move(c));
  if (!reply.ok())
    return reply_error(reply, object_kind::pod, key.name);
  return json_response(201, {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", json::object()},
                             {"status", "Success"},
                             {"code", 201}});
}

// capstan's own audit API: /capstan/v1/history (records, newest last) and /capstan/v1/state
// (the objects as they were right after a sequence number or a time).
http_response rest_handler::audit(const http_request& req) {
  auto q = [&](const char* k) { return req.query.count(k) ? req.query.at(k) : std::string(); };
  auto number = [&](const char* k, uint64_t fallback) { return query_number(req, k, fallback); };
  if (req.path == "/capstan/v1/history") {
    std::optional<object_kind> kind;
    if (!q("kind").empty() && !(kind = kind_from_resource(q("kind"))))
      return status_error(400, "BadRequest", "unknown kind \"" + q("kind") + "\"");
    auto from = number("from", 1), to = number("to", UINT64_MAX), limit = number("limit", 1000);
    if (!from || !to || !limit)
      return status_error(400, "BadRequest", "from, to and limit are sequence numbers");
    std::string ns = q("namespace");
    if (kind && !info(*kind).namespaced)
      ns.clear();
    else if (ns.empty() && !q("name").empty())
      ns = "default";
    json items = json::array();
    for (const auto& rec : master_.history(kind, ns, q("name"), *from, *to, *limit))
      items.push_back({{"seq", rec.seq},
                       {"time", timestamp{rec.time_nanos / 1000000000}.to_rfc3339()},
                       {"timeNanos", rec.time_nanos},
                       {"cause", rec.cause},
                       {"event", event_name(rec)},
                       {"kind", std::string(info(rec.kind).name)},
                       {"namespace", rec.namespace_},
                       {"name", rec.name},
                       {"change", change_summary(rec)}});
    return json_response(200,
                         {{"kind", "History"}, {"apiVersion", "capstan/v1"}, {"items", items}});
  }
  uint64_t seq = master_.model().seq();
  if (!q("time").empty()) {
    auto t = timestamp::parse_rfc3339(q("time"));
    if (!t)
      return status_error(400, "BadRequest", "time must be RFC 3339, such as 2026-11-22T01:00:00Z");
    seq = master_.seq_at_time((t->seconds + 1) * 1000000000LL - 1);
  } else if (!q("at").empty()) {
    auto at = number("at", 0);
    if (!at)
      return status_error(400, "BadRequest", "at is a sequence number");
    if (*at > seq)
      return status_error(400, "BadRequest", "the journal ends at " + std::to_string(seq));
    seq = *at;
  }
  auto state = master_.state_at(seq);
  json items = json::array();
  for (const auto* o : state.all_objects())
    items.push_back(to_json(*o));
  return json_response(200, {{"kind", "List"},
                             {"apiVersion", "v1"},
                             {"metadata", {{"resourceVersion", std::to_string(state.seq)}}},
                             {"items", items}});
}

rest_handler::rest_handler(caf::actor_system& system, actors::master& master, watch_hub& watches,
                           std::string server_address)
    : system_(system), master_(master), watches_(watches),
      server_address_(std::move(server_address)) {}

http_response rest_handler::handle(const http_request& req) {
  const auto& model = master_.model();
  if (req.path == "/version")
    return json_response(200, {{"major", "1"},
                               {"minor", "32"},
                               {"gitVersion", "v1.32.0-capstan"},
                               {"gitCommit", "capstan"},
                               {"gitTreeState", "clean"},
                               {"buildDate", "2026-11-21T00:00:00Z"},
                               {"goVersion", "c++17"},
                               {"compiler", "gcc"},
                               {"platform", "linux/amd64"}});
  if (req.path == "/healthz" || req.path == "/livez" || req.path == "/readyz") {
    http_response r;
    r.content_type = "text/plain";
    r.body = "ok";
    return r;
  }
  if (req.path == "/api")
    return json_response(200,
                         {{"kind", "APIVersions"},
                          {"versions", {"v1"}},
                          {"serverAddressByClientCIDRs",
                           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address_}}}}});
  // The policy group only carries the pods' eviction subresource (listed under /api/v1).
  const json policy_version = {{"groupVersion", "policy/v1"}, {"version", "v1"}};
  const json policy_group = {{"name", "policy"},
                             {"versions", json::array({policy_version})},
                             {"preferredVersion", policy_version}};
  if (req.path == "/apis")
    return json_response(
        200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", json::array({policy_group})}});
  if (req.path == "/apis/policy") {
    json group = {{"kind", "APIGroup"}, {"apiVersion", "v1"}};
    group.update(policy_group);
    return json_response(200, group);
  }
  if (req.path == "/apis/policy/v1")
    return json_response(200, {{"kind", "APIResourceList"},
                               {"apiVersion", "v1"},
                               {"groupVersion", "policy/v1"},
                               {"resources", json::array()}});
  if (req.path == "/api/v1")
    return json_response(200, discovery_resources());
  if (auto document = openapi_document(req.path, req.accept)) {
    http_response r;
    r.content_type = document->content_type;
    r.body = document->body;
    return r;
  }
  if (req.path == "/capstan/v1/history" || req.path == "/capstan/v1/state")
    return audit(req);
  route r = parse_route(req.path);
  if (!r.ok)
    return status_error(404, "NotFound", "the server could not find the requested resource");
  // JSON, and the one protobuf body kubectl insists on (`kubectl create namespace`).
  http_request converted;
  if (!req.body.empty() && req.content_type.find("protobuf") != std::string::npos) {
    auto ns = object_from_protobuf(req.body);
    if (!ns)
      return status_error(
          415, "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json, application/yaml");
    converted = req;
    converted.body = dump_json(*ns);
    converted.content_type = "application/json";
    return handle(converted);
  }
  const std::string resource(info(r.kind).resource);
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
        w.timeout = std::chrono::seconds(list.timeout_seconds ? list.timeout_seconds
                                                              : 1800 + std::rand() % 1800);
        return start_watch(master_, watches_, std::move(w));
      }
      auto result = model.list(r.kind, r.ns, labels, fields);
      if (wants_table(req))
        return json_response(200, table_of(r.kind, result.items, result.seq, now_seconds()));
      json items = json::array();
      for (const auto& o : result.items)
        items.push_back(with_kind(o));
      return json_response(200, {{"kind", list_kind(r.kind)},
                                 {"apiVersion", "v1"},
                                 {"metadata", {{"resourceVersion", std::to_string(result.seq)}}},
                                 {"items", items}});
    }
    if (req.method == "POST") {
      std::vector<std::string> warnings;
      auto decoded = decode_body(req, r, warnings);
      if (auto* err = std::get_if<http_response>(&decoded))
        return *err;
      auto object = std::get<any_object>(std::move(decoded));
      std::string name = meta_of(object).name;
      auto reply = master_.create(std::move(object), cause, dry_run);
      if (!reply.ok())
        return reply_error(reply, r.kind, name);
      auto created = json_response(201, with_kind(*reply.object));
      created.warnings = std::move(warnings);
      return created;
    }
    return status_error(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource");
  }

  // ---- one object ----------------------------------------------------------------------------
  store::object_key key{info(r.kind).namespaced ? r.ns : "", r.name};
  auto current = model.get(r.kind, key);
  if (!current && req.method != "DELETE")
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
    return pod_log(system_, master_, req, std::get<pod>(*current));
  }
  if (r.sub == "eviction" && r.kind == object_kind::pod) {
    if (req.method != "POST")
      return status_error(405, "MethodNotAllowed", "the eviction subresource takes POST");
    return evict(req, key, dry_run);
  }
  if (!r.sub.empty() && r.sub != "status")
    return status_error(404, "NotFound", "the server could not find the requested resource");

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
    if (!current)
      return status_error(404, "NotFound", resource + " \"" + r.name + "\" not found", resource,
                          r.name);
    return object_reply(command(std::move(c)), 200);
  }

  if (req.method == "PUT" || req.method == "PATCH") {
    // A PATCH applies to the latest version; a concurrent change makes it retry, as Kubernetes
    // does.
    for (int attempt = 0; attempt < 5; ++attempt) {
      any_object base = attempt == 0 ? *current : *model.get(r.kind, key);
      std::variant<any_object, http_response> decoded = http_response{};
      std::vector<std::string> warnings;
      if (req.method == "PUT") {
        decoded = decode_body(req, r, warnings);
      } else {
        auto parsed = parse_body(req, "the patch");
        if (auto* bad = std::get_if<http_response>(&parsed))
          return *bad;
        json patch = std::get<json>(std::move(parsed));
        json doc = to_json(base);
        if (req.content_type.find("application/json-patch+json") == 0) {
          std::string error;
          auto patched = json_patch(doc, patch, &error);
          if (!patched)
            return status_error(422, "Invalid", error);
          doc = *patched;
        } else if (req.content_type.find("application/strategic-merge-patch+json") == 0 ||
                   req.content_type.find("application/apply-patch") == 0) {
          doc = strategic_merge_patch(doc, patch);
        } else {
          doc = merge_patch(doc, patch);
        }
        http_request as_put = req;
        as_put.body = dump_json(doc);
        decoded = decode_body(as_put, r, warnings);
      }
      if (auto* err = std::get_if<http_response>(&decoded))
        return *err;
      auto object = std::get<any_object>(std::move(decoded));
      if (meta_of(object).name != r.name)
        return status_error(400, "BadRequest",
                            "the name of the object does not match the name on the URL");
      actors::object_command c{r.kind, key, cause, actors::update_op{object}};
      if (r.sub == "status")
        c.op = actors::status_op{object};
      auto reply = command(std::move(c));
      if (req.method == "PATCH" && !reply.ok() && reply.error->code == error_code::conflict &&
          meta_of(std::get<any_object>(decoded = object)).resource_version ==
              meta_of(base).resource_version)
        continue;
      auto updated = object_reply(reply, 200);
      updated.warnings = std::move(warnings);
      return updated;
    }
    return status_error(409, "Conflict", "the object kept changing; try again", resource, r.name);
  }
  return status_error(405, "MethodNotAllowed",
                      "the server does not allow this method on the requested resource");
}

}  // namespace capstan::api
