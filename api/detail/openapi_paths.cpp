// The operations of every path of a group (core/v1, rbac.authorization.k8s.io/v1), in Swagger
// 2.0 or OpenAPI 3.0.
#include "api/detail/openapi_paths.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace capstan::api::detail {

using namespace messages;

namespace {

struct parameter {
  const char* name;
  const char* in;    // path | query
  const char* type;  // string | integer | boolean
  const char* description;
};

const parameter field_validation = {
    "fieldValidation", "query", "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/"
    "PATCH) containing unknown fields. Valid values are: - Ignore: unknown fields are silently "
    "dropped. - Warn (the default): each unknown field is dropped with a warning. - Strict: the "
    "request fails with a BadRequest error naming every unknown field."};
const std::vector<parameter> list_parameters = {
    {"labelSelector", "query", "string",
     "A selector to restrict the list of returned objects by their labels. Defaults to "
     "everything."},
    {"fieldSelector", "query", "string",
     "A selector to restrict the list of returned objects by their fields. Defaults to "
     "everything."},
    {"resourceVersion", "query", "string",
     "With watch: the resourceVersion to watch from; every change after it is sent."},
    {"timeoutSeconds", "query", "integer",
     "Timeout for the list/watch call. This limits the duration of the call, regardless of any "
     "activity or inactivity."},
    {"watch", "query", "boolean",
     "Watch for changes to the described resources and return them as a stream of add, update, "
     "and remove notifications."},
};
const std::vector<parameter> log_parameters = {
    {"container", "query", "string",
     "The container for which to stream logs. Defaults to only container if there is one "
     "container in the pod."},
    {"follow", "query", "boolean", "Follow the log stream of the pod. Defaults to false."},
    {"tailLines", "query", "integer",
     "If set, the number of lines from the end of the logs to show."},
    {"limitBytes", "query", "integer",
     "If set, the number of bytes to read from the server before terminating the log output."},
    {"sinceSeconds", "query", "integer",
     "A relative time in seconds before the current time from which to show logs."},
};

// One operation of a path, in either dialect.
struct operation {
  std::string method;  // get | post | put | patch | delete
  std::string action;  // x-kubernetes-action: list | get | post | put | patch | delete
  std::string id;
  std::string description;
  json kind;                          // x-kubernetes-group-version-kind, or null
  std::vector<parameter> parameters;  // query parameters
  std::string body;                   // definition of the request body, "" for none
  std::vector<std::string> body_types;
  int status = 200;
  std::string response;  // definition of the response, "" for text/plain
};

json parameter_json(const schema_set& set, const parameter& p) {
  json out = {{"name", p.name}, {"in", p.in}, {"description", p.description}};
  if (std::string_view(p.in) == "path")
    out["required"] = true;
  if (set.kind() == dialect::swagger_2) {
    out["type"] = p.type;
    out["uniqueItems"] = true;
  } else {
    out["schema"] = {{"type", p.type}, {"uniqueItems", true}};
  }
  return out;
}

json operation_json(schema_set& set, const operation& op, const std::string& tag) {
  const bool v3 = set.kind() == dialect::openapi_3;
  json out = {{"tags", json::array({tag})}, {"description", op.description}, {"operationId", op.id}};
  const std::vector<std::string> produces = op.response.empty()
                                                ? std::vector<std::string>{"text/plain"}
                                                : std::vector<std::string>{"application/json"};
  json parameters = json::array();
  for (const auto& p : op.parameters)
    parameters.push_back(parameter_json(set, p));
  if (!v3) {
    if (!op.body_types.empty())
      out["consumes"] = op.body_types;
    out["produces"] = produces;
    out["schemes"] = json::array({"https"});
    if (!op.body.empty())
      parameters.insert(
          parameters.begin(),
          json{{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", set.ref(op.body)}});
  }
  if (!parameters.empty())
    out["parameters"] = parameters;
  if (v3 && !op.body.empty()) {
    json content = json::object();
    for (const auto& t : op.body_types)
      content[t] = {{"schema", set.ref(op.body)}};
    out["requestBody"] = {{"content", content}, {"required", true}};
  }
  const json schema = op.response.empty() ? json{{"type", "string"}} : set.ref(op.response);
  json ok = {{"description", op.status == 201 ? "Created" : "OK"}};
  if (v3) {
    ok["content"] = json::object();
    for (const auto& t : produces)
      ok["content"][t] = {{"schema", schema}};
  } else {
    ok["schema"] = schema;
  }
  out["responses"] = {{std::to_string(op.status), ok}, {"401", {{"description", "Unauthorized"}}}};
  out["x-kubernetes-action"] = op.action;
  if (!op.kind.is_null())
    out["x-kubernetes-group-version-kind"] = op.kind;
  return out;
}

}  // namespace

json group_paths(schema_set& set, const std::string& group) {
  // Kubernetes' names for the group in operation ids and tags: CoreV1 / core_v1,
  // RbacAuthorizationV1 / rbacAuthorization_v1.
  const std::string infix = group.empty() ? "CoreV1" : "RbacAuthorizationV1";
  const std::string tag = group.empty() ? "core_v1" : "rbacAuthorization_v1";
  const std::string prefix = group.empty() ? "/api/v1/" : "/apis/" + group + "/v1/";
  const parameter namespace_parameter = {
      "namespace", "path", "string", "object name and auth scope, such as for teams and projects"};
  const std::vector<std::string> json_body = {"*/*"};
  // Patch types the server applies. Strategic merge (which it also applies) is left out on
  // purpose: `kubectl apply` computes a strategic merge patch from the OpenAPI v3 schema when
  // a PATCH declares it, and these schemas carry no patch merge keys; without it kubectl uses
  // its built-in core/v1 types, which do.
  const std::vector<std::string> patch_bodies = {"application/json-patch+json",
                                                 "application/merge-patch+json",
                                                 "application/apply-patch+yaml"};

  json paths = json::object();
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto& ki = info(static_cast<object_kind>(k));
    if (ki.group != group)
      continue;
    const std::string kind(ki.name), resource(ki.resource);
    const std::string definition = model_prefix(ki.kind) + kind;
    const json this_kind = gvk(group, "v1", kind);
    const std::string scope = ki.namespaced ? "Namespaced" : "";
    const std::string collection =
        ki.namespaced ? prefix + "namespaces/{namespace}/" + resource : prefix + resource;
    const std::string one = collection + "/{name}";
    const parameter name_parameter = {"name", "path", "string", "name of the object"};
    std::vector<parameter> scoped;
    if (ki.namespaced)
      scoped.push_back(namespace_parameter);
    auto path_item = [&](std::vector<parameter> path_parameters,
                         const std::vector<operation>& ops) {
      json item = json::object();
      for (const auto& op : ops)
        item[op.method] = operation_json(set, op, tag);
      json params = json::array();
      for (const auto& p : path_parameters)
        params.push_back(parameter_json(set, p));
      if (!params.empty())
        item["parameters"] = params;
      return item;
    };
    auto with_name = scoped;
    with_name.push_back(name_parameter);

    paths[collection] = path_item(scoped, {{"get",
                                            "list",
                                            "list" + infix + scope + kind,
                                            "list or watch objects of kind " + kind,
                                            this_kind,
                                            list_parameters,
                                            "",
                                            {},
                                            200,
                                            definition + "List"},
                                           {"post",
                                            "post",
                                            "create" + infix + scope + kind,
                                            "create " + kind,
                                            this_kind,
                                            {field_validation},
                                            definition,
                                            json_body,
                                            201,
                                            definition}});
    paths[one] = path_item(with_name, {{"get",
                                        "get",
                                        "read" + infix + scope + kind,
                                        "read the specified " + kind,
                                        this_kind,
                                        {},
                                        "",
                                        {},
                                        200,
                                        definition},
                                       {"put",
                                        "put",
                                        "replace" + infix + scope + kind,
                                        "replace the specified " + kind,
                                        this_kind,
                                        {field_validation},
                                        definition,
                                        json_body,
                                        200,
                                        definition},
                                       {"patch",
                                        "patch",
                                        "patch" + infix + scope + kind,
                                        "partially update the specified " + kind,
                                        this_kind,
                                        {field_validation},
                                        patch_name,
                                        patch_bodies,
                                        200,
                                        definition},
                                       {"delete",
                                        "delete",
                                        "delete" + infix + scope + kind,
                                        "delete " + kind,
                                        this_kind,
                                        {},
                                        delete_options_name,
                                        json_body,
                                        200,
                                        definition}});
    if (ki.namespaced)
      paths[prefix + resource] = path_item({}, {{"get",
                                                     "list",
                                                     "list" + infix + kind + "ForAllNamespaces",
                                                     "list or watch objects of kind " + kind,
                                                     this_kind,
                                                     list_parameters,
                                                     "",
                                                     {},
                                                     200,
                                                     definition + "List"}});

    const auto kind_id = static_cast<object_kind>(k);
    if (kind_id == object_kind::pod || kind_id == object_kind::replication_controller ||
        kind_id == object_kind::node)
      paths[one + "/status"] =
          path_item(with_name, {{"get",
                                 "get",
                                 "read" + infix + scope + kind + "Status",
                                 "read status of the specified " + kind,
                                 this_kind,
                                 {},
                                 "",
                                 {},
                                 200,
                                 definition},
                                {"put",
                                 "put",
                                 "replace" + infix + scope + kind + "Status",
                                 "replace status of the specified " + kind,
                                 this_kind,
                                 {field_validation},
                                 definition,
                                 json_body,
                                 200,
                                 definition},
                                {"patch",
                                 "patch",
                                 "patch" + infix + scope + kind + "Status",
                                 "partially update status of the specified " + kind,
                                 this_kind,
                                 {field_validation},
                                 patch_name,
                                 patch_bodies,
                                 200,
                                 definition}});
    if (kind_id == object_kind::replication_controller) {
      // The scale subresource reads its body as is: no fieldValidation.
      const json scale = gvk("autoscaling", "v1", "Scale");
      paths[one + "/scale"] =
          path_item(with_name, {{"get",
                                 "get",
                                 "readCoreV1NamespacedReplicationControllerScale",
                                 "read scale of the specified ReplicationController",
                                 scale,
                                 {},
                                 "",
                                 {},
                                 200,
                                 scale_name},
                                {"put",
                                 "put",
                                 "replaceCoreV1NamespacedReplicationControllerScale",
                                 "replace scale of the specified ReplicationController",
                                 scale,
                                 {},
                                 scale_name,
                                 json_body,
                                 200,
                                 scale_name},
                                {"patch",
                                 "patch",
                                 "patchCoreV1NamespacedReplicationControllerScale",
                                 "partially update scale of the specified ReplicationController",
                                 scale,
                                 {},
                                 patch_name,
                                 {"application/merge-patch+json"},
                                 200,
                                 scale_name}});
    }
    if (kind_id == object_kind::pod)
      paths[one + "/log"] = path_item(with_name, {{"get",
                                                   "get",
                                                   "readCoreV1NamespacedPodLog",
                                                   "read log of the specified Pod",
                                                   nullptr,
                                                   log_parameters,
                                                   "",
                                                   {},
                                                   200,
                                                   ""}});
  }
  return paths;
}

}  // namespace capstan::api::detail
