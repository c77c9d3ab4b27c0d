#include "api/openapi.hpp"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include <openssl/evp.h>

#include "api/detail/openapi_descriptions.hpp"
#include "messages/json_codec.hpp"

namespace capstan::api {

namespace {

using namespace messages;
using detail::openapi_description;

// ---- Kubernetes names of the model's types ------------------------------------------------
// Every struct with a field list that is reachable from a kind needs its definition name here;
// the compiler says which one is missing.

template <class T>
constexpr const char* model_name = nullptr;
// clang-format off
template <> constexpr const char* model_name<object_meta> = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
template <> constexpr const char* model_name<owner_reference> = "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference";
template <> constexpr const char* model_name<managed_fields_entry> = "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry";
template <> constexpr const char* model_name<object_reference> = "io.k8s.api.core.v1.ObjectReference";
template <> constexpr const char* model_name<container_port> = "io.k8s.api.core.v1.ContainerPort";
template <> constexpr const char* model_name<object_field_selector> = "io.k8s.api.core.v1.ObjectFieldSelector";
template <> constexpr const char* model_name<env_var_source> = "io.k8s.api.core.v1.EnvVarSource";
template <> constexpr const char* model_name<env_var> = "io.k8s.api.core.v1.EnvVar";
template <> constexpr const char* model_name<resource_requirements> = "io.k8s.api.core.v1.ResourceRequirements";
template <> constexpr const char* model_name<volume_mount> = "io.k8s.api.core.v1.VolumeMount";
template <> constexpr const char* model_name<exec_action> = "io.k8s.api.core.v1.ExecAction";
template <> constexpr const char* model_name<http_get_action> = "io.k8s.api.core.v1.HTTPGetAction";
template <> constexpr const char* model_name<tcp_socket_action> = "io.k8s.api.core.v1.TCPSocketAction";
template <> constexpr const char* model_name<probe> = "io.k8s.api.core.v1.Probe";
template <> constexpr const char* model_name<container> = "io.k8s.api.core.v1.Container";
template <> constexpr const char* model_name<empty_dir_volume_source> = "io.k8s.api.core.v1.EmptyDirVolumeSource";
template <> constexpr const char* model_name<host_path_volume_source> = "io.k8s.api.core.v1.HostPathVolumeSource";
template <> constexpr const char* model_name<nfs_volume_source> = "io.k8s.api.core.v1.NFSVolumeSource";
template <> constexpr const char* model_name<volume> = "io.k8s.api.core.v1.Volume";
template <> constexpr const char* model_name<pod_spec> = "io.k8s.api.core.v1.PodSpec";
template <> constexpr const char* model_name<pod_condition> = "io.k8s.api.core.v1.PodCondition";
template <> constexpr const char* model_name<container_state_waiting> = "io.k8s.api.core.v1.ContainerStateWaiting";
template <> constexpr const char* model_name<container_state_running> = "io.k8s.api.core.v1.ContainerStateRunning";
template <> constexpr const char* model_name<container_state_terminated> = "io.k8s.api.core.v1.ContainerStateTerminated";
template <> constexpr const char* model_name<container_state> = "io.k8s.api.core.v1.ContainerState";
template <> constexpr const char* model_name<container_status> = "io.k8s.api.core.v1.ContainerStatus";
template <> constexpr const char* model_name<pod_status> = "io.k8s.api.core.v1.PodStatus";
template <> constexpr const char* model_name<pod> = "io.k8s.api.core.v1.Pod";
template <> constexpr const char* model_name<pod_template_spec> = "io.k8s.api.core.v1.PodTemplateSpec";
template <> constexpr const char* model_name<replication_controller_spec> = "io.k8s.api.core.v1.ReplicationControllerSpec";
template <> constexpr const char* model_name<replication_controller_status> = "io.k8s.api.core.v1.ReplicationControllerStatus";
template <> constexpr const char* model_name<replication_controller> = "io.k8s.api.core.v1.ReplicationController";
template <> constexpr const char* model_name<service_port> = "io.k8s.api.core.v1.ServicePort";
template <> constexpr const char* model_name<service_spec> = "io.k8s.api.core.v1.ServiceSpec";
template <> constexpr const char* model_name<load_balancer_ingress> = "io.k8s.api.core.v1.LoadBalancerIngress";
template <> constexpr const char* model_name<load_balancer_status> = "io.k8s.api.core.v1.LoadBalancerStatus";
template <> constexpr const char* model_name<service_status> = "io.k8s.api.core.v1.ServiceStatus";
template <> constexpr const char* model_name<service> = "io.k8s.api.core.v1.Service";
template <> constexpr const char* model_name<endpoint_address> = "io.k8s.api.core.v1.EndpointAddress";
template <> constexpr const char* model_name<endpoint_port> = "io.k8s.api.core.v1.EndpointPort";
template <> constexpr const char* model_name<endpoint_subset> = "io.k8s.api.core.v1.EndpointSubset";
template <> constexpr const char* model_name<endpoints> = "io.k8s.api.core.v1.Endpoints";
template <> constexpr const char* model_name<node_spec> = "io.k8s.api.core.v1.NodeSpec";
template <> constexpr const char* model_name<node_condition> = "io.k8s.api.core.v1.NodeCondition";
template <> constexpr const char* model_name<node_address> = "io.k8s.api.core.v1.NodeAddress";
template <> constexpr const char* model_name<node_system_info> = "io.k8s.api.core.v1.NodeSystemInfo";
template <> constexpr const char* model_name<node_status> = "io.k8s.api.core.v1.NodeStatus";
template <> constexpr const char* model_name<node> = "io.k8s.api.core.v1.Node";
template <> constexpr const char* model_name<namespace_spec> = "io.k8s.api.core.v1.NamespaceSpec";
template <> constexpr const char* model_name<namespace_status> = "io.k8s.api.core.v1.NamespaceStatus";
template <> constexpr const char* model_name<namespace_object> = "io.k8s.api.core.v1.Namespace";
template <> constexpr const char* model_name<resource_quota_spec> = "io.k8s.api.core.v1.ResourceQuotaSpec";
template <> constexpr const char* model_name<resource_quota_status> = "io.k8s.api.core.v1.ResourceQuotaStatus";
template <> constexpr const char* model_name<resource_quota> = "io.k8s.api.core.v1.ResourceQuota";
template <> constexpr const char* model_name<limit_range_item> = "io.k8s.api.core.v1.LimitRangeItem";
template <> constexpr const char* model_name<limit_range_spec> = "io.k8s.api.core.v1.LimitRangeSpec";
template <> constexpr const char* model_name<limit_range> = "io.k8s.api.core.v1.LimitRange";
template <> constexpr const char* model_name<event_source> = "io.k8s.api.core.v1.EventSource";
template <> constexpr const char* model_name<event> = "io.k8s.api.core.v1.Event";
// clang-format on

// Definitions without a C++ struct: leaf types, and what the API serves besides the kinds.
constexpr const char* meta_v1 = "io.k8s.apimachinery.pkg.apis.meta.v1.";
constexpr const char* core_v1 = "io.k8s.api.core.v1.";
const std::string time_name = std::string(meta_v1) + "Time";
const std::string quantity_name = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const std::string int_or_string_name = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const std::string list_meta_name = std::string(meta_v1) + "ListMeta";
const std::string status_name = std::string(meta_v1) + "Status";
const std::string status_details_name = std::string(meta_v1) + "StatusDetails";
const std::string status_cause_name = std::string(meta_v1) + "StatusCause";
const std::string delete_options_name = std::string(meta_v1) + "DeleteOptions";
const std::string preconditions_name = std::string(meta_v1) + "Preconditions";
const std::string patch_name = std::string(meta_v1) + "Patch";
const std::string scale_name = "io.k8s.api.autoscaling.v1.Scale";
const std::string scale_spec_name = "io.k8s.api.autoscaling.v1.ScaleSpec";
const std::string scale_status_name = "io.k8s.api.autoscaling.v1.ScaleStatus";
const std::string eviction_name = "io.k8s.api.policy.v1.Eviction";
const std::string fields_v1_name = std::string(meta_v1) + "FieldsV1";

template <class T, class Variant>
struct is_alternative : std::false_type {};
template <class T, class... A>
struct is_alternative<T, std::variant<A...>> : std::disjunction<std::is_same<T, A>...> {};
// The top-level kinds: they carry apiVersion, kind and a group-version-kind.
template <class T>
constexpr bool is_kind = is_alternative<T, any_object>::value;

std::string_view short_name(std::string_view definition) {
  return definition.substr(definition.rfind('.') + 1);
}

json gvk(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

// ---- schemas --------------------------------------------------------------------------------

enum class dialect { swagger_2, openapi_3 };

// The definitions of one document, added on demand: asking for a reference to a type defines
// it and everything it refers to. Not thread-safe; one per document being built.
class schema_set {
public:
  explicit schema_set(dialect d) : dialect_(d) {}

  dialect kind() const { return dialect_; }

  json ref_to(const std::string& name) const {
    return {{"$ref",
             (dialect_ == dialect::swagger_2 ? "#/definitions/" : "#/components/schemas/") + name}};
  }

  // The schema of a field of C++ type T: JSON types as messages/detail/json_fields.hpp writes
  // them, and a reference for every struct.
  template <class T>
  json schema_of() {
    if constexpr (std::is_same_v<T, bool>) {
      return {{"type", "boolean"}};
    } else if constexpr (std::is_integral_v<T>) {
      static_assert(std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>,
                    "the JSON codec writes int32_t and int64_t fields only");
      return {{"type", "integer"}, {"format", sizeof(T) == 4 ? "int32" : "int64"}};
    } else if constexpr (std::is_same_v<T, std::string>) {
      return {{"type", "string"}};
    } else if constexpr (std::is_same_v<T, quantity>) {
      return ref(quantity_name);
    } else if constexpr (std::is_same_v<T, int_or_string>) {
      return ref(int_or_string_name);
    } else if constexpr (std::is_same_v<T, timestamp>) {
      return ref(time_name);
    } else if constexpr (std::is_same_v<T, string_map>) {
      return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
    } else if constexpr (std::is_same_v<T, resource_list>) {
      return {{"type", "object"}, {"additionalProperties", ref(quantity_name)}};
    } else if constexpr (std::is_same_v<T, raw_json_object>) {
      return ref(fields_v1_name);
    } else if constexpr (messages::detail::is_optional<T>::value) {
      return schema_of<typename T::value_type>();
    } else if constexpr (messages::detail::is_vector<T>::value) {
      return {{"type", "array"}, {"items", schema_of<typename T::value_type>()}};
    } else {
      static_assert(messages::detail::has_fields<T>::value, "no JSON schema for this type");
      static_assert(model_name<T> != nullptr,
                    "give this type its Kubernetes definition name in model_name");
      if (!definitions_.count(model_name<T>)) {
        definitions_[model_name<T>] = json::object();  // a placeholder stops recursion
        definitions_[model_name<T>] = define<T>();
      }
      return ref_to(model_name<T>);
    }
  }

  // A reference to a definition without a C++ struct, defining it first.
  json ref(const std::string& name) {
    if (!definitions_.count(name)) {
      definitions_[name] = json::object();
      definitions_[name] = define_named(name);
    }
    return ref_to(name);
  }

  // `schema` as a property with a description. OpenAPI 3.0 ignores the siblings of a $ref,
  // so there the reference moves into allOf, as Kubernetes writes it.
  json property(json schema, const char* description) const {
    if (!description)
      return schema;
    if (schema.contains("description"))  // the innermost description wins
      return schema;
    json out = {{"description", description}};
    if (dialect_ == dialect::openapi_3 && schema.contains("$ref"))
      out["allOf"] = json::array({std::move(schema)});
    else
      for (auto it = schema.begin(); it != schema.end(); ++it)
        out[it.key()] = it.value();
    return out;
  }

  // An object definition; `properties` maps field names to schemas, described from the table.
  json object(std::string_view type, const std::vector<std::pair<std::string, json>>& properties,
              const json& required = json::array()) const {
    json out = json::object();
    if (const char* d = openapi_description(type, ""))
      out["description"] = d;
    out["type"] = "object";
    if (!required.empty())
      out["required"] = required;
    json props = json::object();
    for (const auto& [name, schema] : properties)
      props[name] = property(schema, openapi_description(type, name));
    out["properties"] = props;
    return out;
  }

  // Every definition added so far, by name.
  json definitions() const {
    json out = json::object();
    for (const auto& [name, schema] : definitions_)
      out[name] = schema;
    return out;
  }

private:
  // Walks a field list: each field becomes a property. A field the codec writes `always` is
  // required, except nested structs (Go writes those even when empty, as metadata and spec).
  struct walker {
    schema_set& set;
    std::vector<std::pair<std::string, json>>& properties;
    json& required;
    template <class V>
    void operator()(const char* name, V&) {
      properties.emplace_back(name, set.schema_of<V>());
    }
    template <class V>
    void always(const char* name, V&) {
      properties.emplace_back(name, set.schema_of<V>());
      if (!messages::detail::has_fields<V>::value)
        required.push_back(name);
    }
  };

  template <class T>
  json define() {
    const std::string_view type = short_name(model_name<T>);
    std::vector<std::pair<std::string, json>> properties;
    json required = json::array();
    if constexpr (is_kind<T>) {
      properties.emplace_back("apiVersion", json{{"type", "string"}});
      properties.emplace_back("kind", json{{"type", "string"}});
    }
    T sample{};
    walker w{*this, properties, required};
    fields(w, sample);
    json out = object(type, properties, required);
    if constexpr (is_kind<T>)
      out["x-kubernetes-group-version-kind"] =
          json::array({gvk("", "v1", std::string(info(kind_of<T>()).name))});
    return out;
  }

  json define_named(const std::string& name);

  dialect dialect_;
  std::map<std::string, json> definitions_;  // sorted by name, as Kubernetes lists them
};

json schema_set::define_named(const std::string& name) {
  const std::string_view type = short_name(name);
  const json string = {{"type", "string"}};
  const json int32 = {{"type", "integer"}, {"format", "int32"}};
  const json int64 = {{"type", "integer"}, {"format", "int64"}};
  auto described = [&](json schema) {
    if (const char* d = openapi_description(type, "")) {
      json out = {{"description", d}};
      for (auto it = schema.begin(); it != schema.end(); ++it)
        out[it.key()] = it.value();
      return out;
    }
    return schema;
  };
  auto with_gvks = [](json schema, json gvks) {
    schema["x-kubernetes-group-version-kind"] = std::move(gvks);
    return schema;
  };
  const bool v3 = dialect_ == dialect::openapi_3;

  if (name == time_name)
    return described({{"type", "string"}, {"format", "date-time"}});
  if (name == fields_v1_name)
    return described({{"type", "object"}});
  if (name == quantity_name)  // kubectl explain prints a type without "type" by its name
    return described(
        v3 ? json{{"oneOf", json::array({json{{"type", "string"}}, json{{"type", "number"}}})}}
           : json{{"type", "string"}});
  if (name == int_or_string_name)
    return described(
        v3 ? json{{"format", "int-or-string"},
                  {"oneOf", json::array({json{{"type", "integer"}}, json{{"type", "string"}}})}}
           : json{{"type", "string"}, {"format", "int-or-string"}});
  if (name == patch_name)
    return described({{"type", "object"}});
  if (name == list_meta_name)
    return object(type, {{"resourceVersion", string}});
  if (name == preconditions_name)
    return object(type, {{"uid", string}, {"resourceVersion", string}});
  if (name == status_cause_name)
    return object(type, {{"reason", string}, {"message", string}, {"field", string}});
  if (name == status_details_name)
    return object(type, {{"name", string},
                         {"group", string},
                         {"kind", string},
                         {"uid", string},
                         {"causes", {{"type", "array"}, {"items", ref(status_cause_name)}}},
                         {"retryAfterSeconds", int32}});
  if (name == status_name)
    return with_gvks(object(type, {{"apiVersion", string},
                                   {"kind", string},
                                   {"metadata", ref(list_meta_name)},
                                   {"status", string},
                                   {"message", string},
                                   {"reason", string},
                                   {"details", ref(status_details_name)},
                                   {"code", int32}}),
                     json::array({gvk("", "v1", "Status")}));
  if (name == delete_options_name)
    return with_gvks(
        object(type, {{"apiVersion", string},
                      {"kind", string},
                      {"gracePeriodSeconds", int64},
                      {"preconditions", ref(preconditions_name)},
                      {"orphanDependents", {{"type", "boolean"}}},
                      {"propagationPolicy", string},
                      {"dryRun", {{"type", "array"}, {"items", string}}}}),
        json::array({gvk("", "v1", "DeleteOptions"), gvk("autoscaling", "v1", "DeleteOptions"),
                     gvk("policy", "v1", "DeleteOptions")}));
  if (name == scale_spec_name)
    return object(type, {{"replicas", int32}});
  if (name == scale_status_name)
    return object(type, {{"replicas", int32}, {"selector", string}}, json::array({"replicas"}));
  if (name == scale_name)
    return with_gvks(object(type, {{"apiVersion", string},
                                   {"kind", string},
                                   {"metadata", schema_of<object_meta>()},
                                   {"spec", ref(scale_spec_name)},
                                   {"status", ref(scale_status_name)}}),
                     json::array({gvk("autoscaling", "v1", "Scale")}));
  if (name == eviction_name)
    return with_gvks(object(type, {{"apiVersion", string},
                                   {"kind", string},
                                   {"metadata", schema_of<object_meta>()},
                                   {"deleteOptions", ref(delete_options_name)}}),
                     json::array({gvk("policy", "v1", "Eviction")}));
  // "io.k8s.api.core.v1.PodList" and its siblings.
  for (std::size_t k = 0; k < object_kind_count; ++k) {
    const auto& ki = info(static_cast<object_kind>(k));
    const std::string kind(ki.name);
    if (name != core_v1 + kind + "List")
      continue;
    json items = {
        {"description", "List of " + std::string(ki.resource) + "."},
        {"type", "array"},
        {"items", std::visit([&](const auto& o) { return schema_of<std::decay_t<decltype(o)>>(); },
                             make_object(ki.kind))}};
    json out = object(type,
                      {{"apiVersion", string},
                       {"kind", string},
                       {"metadata", property(ref(list_meta_name), "Standard list metadata.")},
                       {"items", items}},
                      json::array({"items"}));
    out["description"] = kind + "List is a list of " + kind + " objects.";
    return with_gvks(out, json::array({gvk("", "v1", kind + "List")}));
  }
  throw std::logic_error("openapi: no definition named " + name);
}

// ---- paths ----------------------------------------------------------------------------------

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

json operation_json(schema_set& set, const operation& op) {
  const bool v3 = set.kind() == dialect::openapi_3;
  json out = {
      {"tags", json::array({"core_v1"})}, {"description", op.description}, {"operationId", op.id}};
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

// The paths of every core/v1 resource and subresource the REST handler serves.
json core_paths(schema_set& set) {
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
    const std::string kind(ki.name), resource(ki.resource);
    const std::string definition = core_v1 + kind;
    const json this_kind = gvk("", "v1", kind);
    const std::string scope = ki.namespaced ? "Namespaced" : "";
    const std::string collection =
        ki.namespaced ? "/api/v1/namespaces/{namespace}/" + resource : "/api/v1/" + resource;
    const std::string one = collection + "/{name}";
    const parameter name_parameter = {"name", "path", "string", "name of the object"};
    std::vector<parameter> scoped;
    if (ki.namespaced)
      scoped.push_back(namespace_parameter);
    auto path_item = [&](std::vector<parameter> path_parameters,
                         const std::vector<operation>& ops) {
      json item = json::object();
      for (const auto& op : ops)
        item[op.method] = operation_json(set, op);
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
                                            "listCoreV1" + scope + kind,
                                            "list or watch objects of kind " + kind,
                                            this_kind,
                                            list_parameters,
                                            "",
                                            {},
                                            200,
                                            definition + "List"},
                                           {"post",
                                            "post",
                                            "createCoreV1" + scope + kind,
                                            "create " + kind,
                                            this_kind,
                                            {field_validation},
                                            definition,
                                            json_body,
                                            201,
                                            definition}});
    paths[one] = path_item(with_name, {{"get",
                                        "get",
                                        "readCoreV1" + scope + kind,
                                        "read the specified " + kind,
                                        this_kind,
                                        {},
                                        "",
                                        {},
                                        200,
                                        definition},
                                       {"put",
                                        "put",
                                        "replaceCoreV1" + scope + kind,
                                        "replace the specified " + kind,
                                        this_kind,
                                        {field_validation},
                                        definition,
                                        json_body,
                                        200,
                                        definition},
                                       {"patch",
                                        "patch",
                                        "patchCoreV1" + scope + kind,
                                        "partially update the specified " + kind,
                                        this_kind,
                                        {field_validation},
                                        patch_name,
                                        patch_bodies,
                                        200,
                                        definition},
                                       {"delete",
                                        "delete",
                                        "deleteCoreV1" + scope + kind,
                                        "delete " + kind,
                                        this_kind,
                                        {},
                                        delete_options_name,
                                        json_body,
                                        200,
                                        definition}});
    if (ki.namespaced)
      paths["/api/v1/" + resource] = path_item({}, {{"get",
                                                     "list",
                                                     "listCoreV1" + kind + "ForAllNamespaces",
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
                                 "readCoreV1" + scope + kind + "Status",
                                 "read status of the specified " + kind,
                                 this_kind,
                                 {},
                                 "",
                                 {},
                                 200,
                                 definition},
                                {"put",
                                 "put",
                                 "replaceCoreV1" + scope + kind + "Status",
                                 "replace status of the specified " + kind,
                                 this_kind,
                                 {field_validation},
                                 definition,
                                 json_body,
                                 200,
                                 definition},
                                {"patch",
                                 "patch",
                                 "patchCoreV1" + scope + kind + "Status",
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

// ---- documents ------------------------------------------------------------------------------

// What the core group's document holds besides the definitions its paths refer to, as in
// Kubernetes: the errors every operation may answer, and the policy/v1 Eviction of pods.
void add_core_extras(schema_set& set) {
  set.ref(status_name);
  set.ref(eviction_name);
}

const json info_json = {{"title", "Kubernetes"}, {"version", "unversioned"}};
const json bearer_token = {{"type", "apiKey"},
                           {"name", "authorization"},
                           {"in", "header"},
                           {"description", "Bearer Token authentication"}};

std::string swagger_2_document() {
  schema_set set(dialect::swagger_2);
  json paths = core_paths(set);
  add_core_extras(set);
  return json{{"swagger", "2.0"},
              {"info", info_json},
              {"paths", paths},
              {"definitions", set.definitions()},
              {"securityDefinitions", {{"BearerToken", bearer_token}}},
              {"security", json::array({json{{"BearerToken", json::array()}}})}}
      .dump();
}

std::string openapi_3_document(schema_set& set, json paths) {
  return json{
      {"openapi", "3.0.0"},
      {"info", info_json},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", set.definitions()}, {"securitySchemes", {{"BearerToken", bearer_token}}}}},
      {"security", json::array({json{{"BearerToken", json::array()}}})}}
      .dump();
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string out;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02X", digest[i]);
    out += byte;
  }
  return out;
}

struct documents {
  std::string swagger_2;
  std::map<std::string, std::string> openapi_3;  // "api/v1" -> body
  std::string openapi_3_index;
};

documents build_documents() {
  documents d;
  d.swagger_2 = swagger_2_document();
  {
    schema_set set(dialect::openapi_3);
    json paths = core_paths(set);
    add_core_extras(set);
    d.openapi_3["api/v1"] = openapi_3_document(set, std::move(paths));
  }
  // The groups of the subresources' kinds: their schemas, and no resources of their own.
  for (const auto& [group, root] :
       {std::pair<std::string, std::string>{"apis/autoscaling/v1", scale_name},
        std::pair<std::string, std::string>{"apis/policy/v1", eviction_name}}) {
    schema_set set(dialect::openapi_3);
    set.ref(root);
    set.ref(status_name);
    d.openapi_3[group] = openapi_3_document(set, json::object());
  }
  json index = json::object();
  for (const auto& [group, body] : d.openapi_3)
    index[group] = {{"serverRelativeURL", "/openapi/v3/" + group + "?hash=" + sha256_hex(body)}};
  d.openapi_3_index = json{{"paths", index}}.dump();
  return d;
}

const documents& all_documents() {
  static const documents d = build_documents();
  return d;
}

}  // namespace

std::optional<openapi_reply> openapi_document(const std::string& path, const std::string& accept) {
  const std::string v3 = "/openapi/v3";
  if (path == "/openapi/v2") {
    const bool json_accepted = accept.empty() || accept.find("json") != std::string::npos ||
                               accept.find("*/*") != std::string::npos;
    if (!json_accepted && accept.find("protobuf") != std::string::npos)
      return openapi_reply{"application/octet-stream", ""};
    return openapi_reply{"application/json", all_documents().swagger_2};
  }
  if (path == v3 || path == v3 + "/")
    return openapi_reply{"application/json", all_documents().openapi_3_index};
  if (path.compare(0, v3.size() + 1, v3 + "/") == 0) {
    const auto& docs = all_documents().openapi_3;
    if (auto it = docs.find(path.substr(v3.size() + 1)); it != docs.end())
      return openapi_reply{"application/json", it->second};
  }
  return std::nullopt;
}

}  // namespace capstan::api
