// OpenAPI definitions derived from messages/' field lists, with Kubernetes' names and the
// descriptions of openapi_descriptions.cpp.
#include "api/detail/openapi_definitions.hpp"

#include <map>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "api/detail/openapi_descriptions.hpp"

namespace capstan::api::detail {

namespace {

using namespace messages;

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
template <> constexpr const char* model_name<config_map_key_selector> = "io.k8s.api.core.v1.ConfigMapKeySelector";
template <> constexpr const char* model_name<secret_key_selector> = "io.k8s.api.core.v1.SecretKeySelector";
template <> constexpr const char* model_name<config_map_env_source> = "io.k8s.api.core.v1.ConfigMapEnvSource";
template <> constexpr const char* model_name<secret_env_source> = "io.k8s.api.core.v1.SecretEnvSource";
template <> constexpr const char* model_name<env_from_source> = "io.k8s.api.core.v1.EnvFromSource";
template <> constexpr const char* model_name<key_to_path> = "io.k8s.api.core.v1.KeyToPath";
template <> constexpr const char* model_name<secret_volume_source> = "io.k8s.api.core.v1.SecretVolumeSource";
template <> constexpr const char* model_name<config_map_volume_source> = "io.k8s.api.core.v1.ConfigMapVolumeSource";
template <> constexpr const char* model_name<local_object_reference> = "io.k8s.api.core.v1.LocalObjectReference";
template <> constexpr const char* model_name<secret> = "io.k8s.api.core.v1.Secret";
template <> constexpr const char* model_name<config_map> = "io.k8s.api.core.v1.ConfigMap";
template <> constexpr const char* model_name<service_account> = "io.k8s.api.core.v1.ServiceAccount";
template <> constexpr const char* model_name<env_var_source> = "io.k8s.api.core.v1.EnvVarSource";
template <> constexpr const char* model_name<env_var> = "io.k8s.api.core.v1.EnvVar";
template <> constexpr const char* model_name<resource_requirements> = "io.k8s.api.core.v1.ResourceRequirements";
template <> constexpr const char* model_name<volume_mount> = "io.k8s.api.core.v1.VolumeMount";
template <> constexpr const char* model_name<exec_action> = "io.k8s.api.core.v1.ExecAction";
template <> constexpr const char* model_name<http_get_action> = "io.k8s.api.core.v1.HTTPGetAction";
template <> constexpr const char* model_name<tcp_socket_action> = "io.k8s.api.core.v1.TCPSocketAction";
template <> constexpr const char* model_name<probe> = "io.k8s.api.core.v1.Probe";
template <> constexpr const char* model_name<sleep_action> = "io.k8s.api.core.v1.SleepAction";
template <> constexpr const char* model_name<lifecycle_handler> = "io.k8s.api.core.v1.LifecycleHandler";
template <> constexpr const char* model_name<container_lifecycle> = "io.k8s.api.core.v1.Lifecycle";
template <> constexpr const char* model_name<container> = "io.k8s.api.core.v1.Container";
template <> constexpr const char* model_name<empty_dir_volume_source> = "io.k8s.api.core.v1.EmptyDirVolumeSource";
template <> constexpr const char* model_name<host_path_volume_source> = "io.k8s.api.core.v1.HostPathVolumeSource";
template <> constexpr const char* model_name<nfs_volume_source> = "io.k8s.api.core.v1.NFSVolumeSource";
template <> constexpr const char* model_name<volume> = "io.k8s.api.core.v1.Volume";
template <> constexpr const char* model_name<pod_dns_config_option> = "io.k8s.api.core.v1.PodDNSConfigOption";
template <> constexpr const char* model_name<pod_dns_config> = "io.k8s.api.core.v1.PodDNSConfig";
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
template <> constexpr const char* model_name<policy_rule> = "io.k8s.api.rbac.v1.PolicyRule";
template <> constexpr const char* model_name<role> = "io.k8s.api.rbac.v1.Role";
template <> constexpr const char* model_name<cluster_role> = "io.k8s.api.rbac.v1.ClusterRole";
template <> constexpr const char* model_name<role_ref> = "io.k8s.api.rbac.v1.RoleRef";
template <> constexpr const char* model_name<subject> = "io.k8s.api.rbac.v1.Subject";
template <> constexpr const char* model_name<role_binding> = "io.k8s.api.rbac.v1.RoleBinding";
template <> constexpr const char* model_name<cluster_role_binding> = "io.k8s.api.rbac.v1.ClusterRoleBinding";
// clang-format on

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

}  // namespace

using namespace messages;

// The definitions of one document, added on demand: asking for a reference to a type defines
// it and everything it refers to. Not thread-safe; one per document being built.
class schema_set::impl {
public:
  explicit impl(dialect d) : dialect_(d) {}

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
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, rare_string>) {
      return {{"type", "string"}};
    } else if constexpr (std::is_same_v<T, quantity>) {
      return ref(quantity_name);
    } else if constexpr (std::is_same_v<T, int_or_string>) {
      return ref(int_or_string_name);
    } else if constexpr (std::is_same_v<T, timestamp>) {
      return ref(time_name);
    } else if constexpr (std::is_same_v<T, string_map>) {
      return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
    } else if constexpr (std::is_same_v<T, byte_map>) {
      return {{"type", "object"},
              {"additionalProperties", {{"type", "string"}, {"format", "byte"}}}};
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
    impl& set;
    std::vector<std::pair<std::string, json>>& properties;
    json& required;
    template <class V>
    void operator()(const char* name, V&) {
      if constexpr (!std::is_same_v<V, messages::sealed_bytes>)  // never in JSON
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
          json::array({gvk(std::string(info(kind_of<T>()).group), "v1",
                           std::string(info(kind_of<T>()).name))});
    return out;
  }

  json define_named(const std::string& name);

  dialect dialect_;
  std::map<std::string, json> definitions_;  // sorted by name, as Kubernetes lists them
};

json schema_set::impl::define_named(const std::string& name) {
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
    if (name != model_prefix(ki.kind) + kind + "List")
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
    return with_gvks(out, json::array({gvk(std::string(ki.group), "v1", kind + "List")}));
  }
  throw std::logic_error("openapi: no definition named " + name);
}

schema_set::schema_set(dialect d) : impl_(std::make_unique<impl>(d)) {}
schema_set::~schema_set() = default;

dialect schema_set::kind() const {
  return impl_->kind();
}

json schema_set::ref(const std::string& name) {
  return impl_->ref(name);
}

json schema_set::definitions() const {
  return impl_->definitions();
}

}  // namespace capstan::api::detail
