#include "api/rest_handler.hpp"

#include <thread>

#include "nodeagent/protocol.hpp"

#include <condition_variable>
#include <deque>

#include "api/openapi.hpp"
#include "api/patch.hpp"
#include "api/protobuf.hpp"
#include "api/tables.hpp"
#include "messages/defaults.hpp"
#include "store/apply.hpp"

namespace capstan::api {

namespace {

using namespace messages;
using actors::command_reply;
using actors::error_code;

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

http_response json_response(int status, const json& body) {
  http_response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

// A Kubernetes Status error, as kubectl prints it: `Error from server (NotFound): ...`.
http_response status_error(int code, const std::string& reason, const std::string& message,
                           const std::string& kind = "", const std::string& name = "",
                           const field_errors& causes = {}) {
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

http_response reply_error(const command_reply& r, object_kind kind, const std::string& name) {
  const auto& e = *r.error;
  std::string message = e.message;
  if (e.code == error_code::invalid && !e.causes.empty()) {
    message += ": ";
    for (std::size_t i = 0; i < e.causes.size(); ++i)
      message += (i ? ", " : "") + e.causes[i].to_string();
    if (e.causes.size() > 1)
      message = e.message + ": [" + message.substr(e.message.size() + 2) + "]";
  }
  // Kubernetes names the Kind in an Invalid status ("The Service \"x\" is invalid") and the
  // resource otherwise ("pods \"x\" not found").
  std::string detail_kind(e.code == error_code::invalid ? info(kind).name : info(kind).resource);
  return status_error(actors::http_status(e.code), actors::status_reason(e.code), message,
                      detail_kind, name, e.causes);
}

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
    if (kind == object_kind::pod)
      resources.push_back({{"name", "pods/log"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "Pod"},
                           {"verbs", {"get"}}});
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
  json doc;
  try {
    doc = json::parse(req.body);
  } catch (const std::exception& e) {
    return status_error(400, "BadRequest",
                        std::string("the request body is not valid JSON: ") + e.what());
  }
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

// A boolean query parameter read as Go's strconv.ParseBool reads it (the Python client sends
// "watch=True"): 1, t, T, TRUE, true, True are true; anything else, or no parameter, is false.
bool query_flag(const http_request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end())
    return false;
  const std::string& v = it->second;
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "True" || v == "TRUE";
}

// The message of an error a node gateway or node agent sent (its context string).
std::string error_text(caf::actor_system& system, const caf::error& e) {
  const auto& context = e.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  return system.render(e);
}

// An unsigned query parameter: `fallback` when absent, nullopt when not a number.
std::optional<uint64_t> query_number(const http_request& req, const std::string& name,
                                     uint64_t fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty())
    return fallback;
  if (it->second.size() > 19 || it->second.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(it->second);
}

}  // namespace

std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i < query.size()) {
    std::size_t amp = query.find('&', i);
    std::string pair = query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    auto eq = pair.find('=');
    if (!pair.empty())
      out[url_decode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1));
    if (amp == std::string::npos)
      break;
    i = amp + 1;
  }
  return out;
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

http_response rest_handler::pod_log(const http_request& req, const pod& p) {
  std::string container = req.query.count("container") ? req.query.at("container") : std::string();
  const auto& containers = p.spec.containers;
  if (container.empty()) {
    if (containers.size() != 1) {
      std::string names;
      for (const auto& c : containers)
        names += (names.empty() ? "" : " ") + c.name;
      return status_error(400, "BadRequest",
                          "a container name must be specified for pod " + p.metadata.name +
                              ", choose one of: [" + names + "]");
    }
    container = containers.front().name;
  } else if (std::none_of(containers.begin(), containers.end(),
                          [&](const messages::container& c) { return c.name == container; })) {
    return status_error(400, "BadRequest",
                        "container " + container + " is not valid for pod " + p.metadata.name);
  }
  if (!query_number(req, "tailLines", 0) || !query_number(req, "limitBytes", 0) ||
      !query_number(req, "sinceSeconds", 0))
    return status_error(400, "BadRequest",
                        "tailLines, limitBytes and sinceSeconds are non-negative integers");
  if (p.spec.node_name.empty() || p.status.phase == "Pending")
    return status_error(400, "BadRequest",
                        "container \"" + container + "\" in pod \"" + p.metadata.name +
                            "\" is waiting to start: ContainerCreating");
  auto node_object = master_.model().get(object_kind::node, {"", p.spec.node_name});
  if (node_object &&
      std::get<node>(*node_object).status.node_info.container_runtime_version.rfind("fake://", 0) ==
          0)
    return status_error(400, "BadRequest",
                        "pod " + p.metadata.name + " runs on " + p.spec.node_name +
                            ", a simulated node (fake runtime): its containers write no logs");
  // The node agent keeps the logs; the gateway relays. A follow polls for new bytes.
  const uint64_t tail = *query_number(req, "tailLines", 0);
  auto gateway = master_.node_gateway();
  auto fetch = [gateway](caf::actor_system& system, const std::string& ns, const std::string& name,
                         const std::string& container, uint64_t offset, uint64_t tail_lines,
                         std::string& bytes, uint64_t& next) -> std::string {
    caf::scoped_actor self{system};
    std::string failure;
    self->request(gateway, std::chrono::seconds(15), nodeagent::logs_atom::value, ns, name,
                  container, offset, tail_lines)
        .receive(
            [&](std::string& b, uint64_t n) {
              bytes = std::move(b);
              next = n;
            },
            [&](caf::error& e) { failure = error_text(system, e); });
    return failure;
  };
  std::string bytes;
  uint64_t next = 0;
  auto failure =
      fetch(system_, p.metadata.namespace_, p.metadata.name, container, 0, tail, bytes, next);
  if (!failure.empty())
    return status_error(503, "ServiceUnavailable", failure);
  http_response r;
  r.content_type = "text/plain";
  if (!query_flag(req, "follow")) {
    r.body = std::move(bytes);
    return r;
  }
  caf::actor_system* system = &system_;
  actors::master* m = &master_;
  std::string ns = p.metadata.namespace_, name = p.metadata.name, uid = p.metadata.uid;
  r.stream = [=](const std::function<bool(const std::string&)>& write, const bool& stopping) {
    if (!bytes.empty() && !write(bytes))
      return;
    uint64_t offset = next;
    while (!stopping) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      auto now = m->model().get(object_kind::pod, {ns, name});
      if (!now || meta_of(*now).uid != uid)
        return;  // the pod is gone: the stream ends, as kubectl logs -f does
      std::string more;
      uint64_t after = offset;
      if (!fetch(*system, ns, name, container, offset, 0, more, after).empty())
        return;
      offset = after;
      if (!more.empty() && !write(more))
        return;
    }
  };
  return r;
}

rest_handler::rest_handler(caf::actor_system& system, actors::master& master,
                           std::string server_address)
    : system_(system), master_(master), server_address_(std::move(server_address)) {}

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
  if (req.path == "/apis")
    return json_response(
        200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", json::array()}});
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
    auto ns = namespace_from_protobuf(req.body);
    if (!ns)
      return status_error(
          415, "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json, application/yaml");
    converted = req;
    converted.body = ns->dump();
    converted.content_type = "application/json";
    return handle(converted);
  }
  const std::string resource(info(r.kind).resource);
  const std::string cause = req.user.name;

  auto command = [&](actors::object_command c) { return master_.command(std::move(c)); };
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
      if (query_flag(req, "watch")) {
        http_response resp;
        bool table = wants_table(req);
        std::string rv = req.query.count("resourceVersion") ? req.query.at("resourceVersion") : "";
        object_kind kind = r.kind;
        std::string ns = r.ns;
        actors::master* m = &master_;
        // A watch ends after timeoutSeconds, or like kube-apiserver's default
        // (--min-request-timeout 1800 s) after 30 to 60 minutes; clients then re-watch from the
        // last resourceVersion they saw. The bound also frees the threads of vanished clients.
        auto timeout = query_number(req, "timeoutSeconds", 1800 + std::rand() % 1800);
        if (!timeout || *timeout == 0)
          return status_error(400, "BadRequest", "timeoutSeconds must be a positive integer");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(*timeout);
        resp.stream = [m, kind, ns, labels, fields, table, rv, deadline](
                          const std::function<bool(const std::string&)>& write,
                          const bool& stopping) {
          // The watch keeps its own copy of the watched objects, so that every event carries the
          // object exactly as that record left it (and DELETED carries its last state).
          store::cluster_state mine;
          auto snapshot = m->model().list(kind, ns);
          uint64_t start = snapshot.seq;
          bool past = !rv.empty() && rv.find_first_not_of("0123456789") == std::string::npos &&
                      std::stoull(rv) > 0 && std::stoull(rv) < snapshot.seq;
          if (past) {
            // The journal keeps everything: rebuild the watched objects as they were at `rv`
            // and replay every change since, so a watch resumes from any resourceVersion.
            start = std::stoull(rv);
            auto then = m->state_at(start);
            for (auto& [key, o] : then.of(kind))
              if (ns.empty() || key.namespace_ == ns)
                mine.of(kind).emplace(key, std::move(o));
          } else {
            for (auto& o : snapshot.items) {
              const auto& meta = meta_of(o);
              mine.of(kind).emplace(store::object_key{meta.namespace_, meta.name}, std::move(o));
            }
          }
          std::mutex mutex;
          std::condition_variable wake;
          std::deque<journal_record> queue;
          auto id = m->watch(start + 1, [&](const std::vector<journal_record>& records) {
            std::lock_guard<std::mutex> lock(mutex);
            for (const auto& rec : records)
              if (rec.kind == kind && (ns.empty() || rec.namespace_ == ns))
                queue.push_back(rec);
            wake.notify_one();
          });
          auto matches = [&](const any_object* o) {
            return o && labels.matches(meta_of(*o).labels) && fields.matches(*o);
          };
          auto emit = [&](const char* type, const any_object& o, uint64_t seq) {
            json object = table ? table_of(kind, {o}, seq, now_seconds()) : to_json(o);
            return write(json({{"type", type}, {"object", object}}).dump() + "\n");
          };
          bool alive = true;
          if (rv.empty() || rv == "0")  // no starting point: the current objects first
            for (const auto& [key, o] : mine.of(kind))
              if (matches(&o) && !(alive = emit("ADDED", o, snapshot.seq)))
                break;
          while (alive && !stopping && std::chrono::steady_clock::now() < deadline) {
            std::deque<journal_record> batch;
            {
              std::unique_lock<std::mutex> lock(mutex);
              wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return !queue.empty(); });
              batch.swap(queue);
            }
            for (auto& rec : batch) {
              store::object_key key{rec.namespace_, rec.name};
              std::optional<any_object> before;
              if (auto* b = mine.find(kind, key))
                before = *b;
              mine.seq = rec.seq - 1;  // this copy holds one kind: align it to the record
              try {
                store::apply(mine, rec);
              } catch (const store::store_error&) {
                continue;
              }
              const any_object* after = mine.find(kind, key);
              bool was = matches(before ? &*before : nullptr), is = matches(after);
              if (was && !is)
                alive = emit("DELETED", after ? *after : *before, rec.seq);
              else if (!was && is)
                alive = emit("ADDED", *after, rec.seq);
              else if (was && is)
                alive = emit("MODIFIED", *after, rec.seq);
              if (!alive)
                break;
            }
          }
          m->unwatch(id);
        };
        return resp;
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
      auto reply = master_.create(std::move(object), cause);
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
    json scale;
    if (req.method == "PUT") {
      try {
        scale = json::parse(req.body);
      } catch (const std::exception&) {
        return status_error(400, "BadRequest", "the request body is not valid JSON");
      }
    } else if (req.method == "PATCH") {
      try {
        scale = merge_patch(scale_of(rc), json::parse(req.body));
      } catch (const std::exception&) {
        return status_error(400, "BadRequest", "the request body is not valid JSON");
      }
    } else {
      return status_error(405, "MethodNotAllowed",
                          "the scale subresource takes GET, PUT and PATCH");
    }
    auto replicas = scale.contains("spec") ? scale["spec"].value("replicas", -1) : -1;
    if (replicas < 0)
      return status_error(422, "Invalid",
                          "Scale.autoscaling \"" + r.name +
                              "\" is invalid: spec.replicas: Invalid value: " +
                              std::to_string(replicas) + ": must be greater than or equal to 0");
    std::string rv = req.method == "PUT" && scale.contains("metadata")
                         ? scale["metadata"].value("resourceVersion", "")
                         : "";
    auto reply = command({r.kind, key, cause, actors::scale_op{replicas, std::nullopt, rv}});
    if (!reply.ok())
      return reply_error(reply, r.kind, r.name);
    return json_response(200, scale_of(std::get<replication_controller>(*reply.object)));
  }
  if (r.sub == "log" && r.kind == object_kind::pod) {
    if (req.method != "GET")
      return status_error(405, "MethodNotAllowed", "the log subresource takes GET");
    return pod_log(req, std::get<pod>(*current));
  }
  if (!r.sub.empty() && r.sub != "status")
    return status_error(404, "NotFound", "the server could not find the requested resource");

  if (req.method == "GET")
    return wants_table(req)
               ? json_response(200, table_of(r.kind, {*current}, model.seq(), now_seconds()))
               : json_response(200, with_kind(*current));

  if (req.method == "DELETE") {
    actors::delete_op op;
    if (!req.body.empty()) {
      try {
        auto options = json::parse(req.body);
        if (options.contains("preconditions")) {
          op.uid_precondition = options["preconditions"].value("uid", "");
          op.resource_version_precondition = options["preconditions"].value("resourceVersion", "");
        }
      } catch (const std::exception&) {
        return status_error(400, "BadRequest", "DeleteOptions are not valid JSON");
      }
    }
    if (!current)
      return status_error(404, "NotFound", resource + " \"" + r.name + "\" not found", resource,
                          r.name);
    return object_reply(command({r.kind, key, cause, op}), 200);
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
        json patch;
        try {
          patch = json::parse(req.body);
        } catch (const std::exception&) {
          return status_error(400, "BadRequest", "the patch is not valid JSON");
        }
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
        as_put.body = doc.dump();
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
