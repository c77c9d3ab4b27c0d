#include "messages/validation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "messages/input_text.hpp"
#include "messages/json_codec.hpp"
#include "messages/json_input.hpp"
#include "messages/detail/validation_checks.hpp"
#include "messages/name_rules.hpp"

namespace capstan::messages {

namespace {

using namespace detail;

std::string map_text(const string_map& m) {
  std::string out = "{";
  for (const auto& [k, v] : m)
    out += (out.size() > 1 ? ", " : "") + quote(k) + ": " + quote(v);
  return out + "}";
}

bool selector_matches(const string_map& selector, const string_map& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v)
      return false;
  }
  return true;
}

// A FieldsV1 object: keys "." or "f:", "k:", "v:", "i:" path elements, values objects, "."
// empty. Deeper than `depth_left` levels is refused, so a hostile set cannot exhaust the stack
// of whoever walks it later.
bool well_formed_fields_v1(const json& fields, int depth_left) {
  if (!fields.is_object() || depth_left == 0)
    return false;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    const std::string& k = it.key();
    if (k == ".") {
      if (!it->is_object() || !it->empty())
        return false;
      continue;
    }
    if (k.size() < 2 || k[1] != ':' || std::string("fkvi").find(k[0]) == std::string::npos)
      return false;
    if (!well_formed_fields_v1(*it, depth_left - 1))
      return false;
  }
  return true;
}

// A FieldsV1 text as a tree, or null when it is not JSON (bounded and linear in its fields).
json parsed_or_null(const std::string& text) {
  auto parsed = parse_json_input(text, {text.size() + 1, 1000});
  auto* tree = std::get_if<json>(&parsed);
  return tree ? std::move(*tree) : json(nullptr);
}

// Kubernetes ValidateManagedFields, plus the shape of each fieldsV1.
void validate_managed_fields(const std::vector<managed_fields_entry>& entries,
                             const std::string& path, field_errors& errors) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    std::string p = index(path, i);
    if (e.operation.empty())
      errors.push_back(required(child(p, "operation"), "must not be empty"));
    else
      check_enum(e.operation, {"Apply", "Update"}, child(p, "operation"), errors);
    if (!e.fields_type.empty() && e.fields_type != "FieldsV1")
      errors.push_back(invalid(child(p, "fieldsType"), quote(e.fields_type), "must be `FieldsV1`"));
    validate_field_manager(e.manager, child(p, "manager"), errors);
    if (e.subresource.size() > 256)
      errors.push_back(too_long(child(p, "subresource"), 256));
    if (!e.fields_v1.empty() && !well_formed_fields_v1(parsed_or_null(e.fields_v1.text), 64))
      errors.push_back(invalid(child(p, "fieldsV1"), "",
                               "must be an object of field path elements (\"f:name\", "
                               "\"k:{...}\", \"v:...\", \"i:N\", \".\") whose values are "
                               "objects"));
  }
}

void validate_meta(const object_meta& meta, const kind_info& kind, name_rule name_rule,
                   field_errors& errors) {
  if (meta.name.empty() && meta.generate_name.empty())
    errors.push_back(required("metadata.name", "name or generateName is required"));
  else if (!meta.name.empty())
    check_string(name_rule, meta.name, "metadata.name", errors);
  else
    // generateName appends random characters, so the prefix alone need not end well.
    check(name_rule(meta.generate_name + "a"), "metadata.generateName", quote(meta.generate_name),
          errors);
  if (kind.namespaced) {
    if (meta.namespace_.empty())
      errors.push_back(required("metadata.namespace"));
    else
      check_string(dns1123_label, meta.namespace_, "metadata.namespace", errors);
  } else if (!meta.namespace_.empty()) {
    errors.push_back(forbidden("metadata.namespace", "not allowed on this type"));
  }
  validate_labels(meta.labels, "metadata.labels", errors);
  std::size_t annotation_bytes = 0;
  for (const auto& [k, v] : meta.annotations) {
    check_string(qualified_name, k, "metadata.annotations", errors);
    annotation_bytes += k.size() + v.size();
  }
  if (annotation_bytes > 256 * 1024)
    errors.push_back(too_long("metadata.annotations", 256 * 1024));
  check_non_negative(meta.generation, "metadata.generation", errors);
  validate_managed_fields(meta.managed_fields, "metadata.managedFields", errors);
}

void validate_object(const namespace_object& ns, field_errors& errors) {
  validate_meta(ns.metadata, info(object_kind::namespace_), dns1123_label, errors);
  check_enum(ns.status.phase, {"Active", "Terminating"}, "status.phase", errors, true);
}

void validate_object(const pod& p, field_errors& errors) {
  validate_meta(p.metadata, info(object_kind::pod), dns1123_subdomain, errors);
  validate_pod_spec(p.spec, "spec", errors);
  check_enum(p.status.phase, {"Pending", "Running", "Succeeded", "Failed", "Unknown"},
             "status.phase", errors, true);
}

void validate_object(const replication_controller& rc, field_errors& errors) {
  validate_meta(rc.metadata, info(object_kind::replication_controller), dns1123_subdomain, errors);
  const auto& spec = rc.spec;
  if (spec.replicas)
    check_non_negative(*spec.replicas, "spec.replicas", errors);
  check_non_negative(spec.min_ready_seconds, "spec.minReadySeconds", errors);
  if (spec.selector.empty())
    errors.push_back(required("spec.selector"));
  validate_labels(spec.selector, "spec.selector", errors);
  if (!spec.template_) {
    errors.push_back(required("spec.template"));
    return;
  }
  const auto& tmpl = *spec.template_;
  validate_labels(tmpl.metadata.labels, "spec.template.metadata.labels", errors);
  if (!spec.selector.empty() && !selector_matches(spec.selector, tmpl.metadata.labels))
    errors.push_back(invalid("spec.template.metadata.labels", map_text(tmpl.metadata.labels),
                             "`selector` does not match template `labels`"));
  validate_pod_spec(tmpl.spec, "spec.template.spec", errors);
  if (!tmpl.spec.restart_policy.empty())
    check_enum(tmpl.spec.restart_policy, {"Always"}, "spec.template.spec.restartPolicy", errors);
  if (!tmpl.spec.node_name.empty())
    errors.push_back(forbidden("spec.template.spec.nodeName",
                               "a template may not name a node; use nodeSelector"));
}

void validate_object(const service& s, field_errors& errors) {
  validate_meta(s.metadata, info(object_kind::service), dns1035_label, errors);
  const auto& spec = s.spec;
  check_enum(spec.type, {"ClusterIP", "NodePort"}, "spec.type", errors);
  check_enum(spec.session_affinity, {"None", "ClientIP"}, "spec.sessionAffinity", errors, true);
  bool headless = spec.cluster_ip == "None";
  if (!spec.cluster_ip.empty() && !headless)
    check_string(ipv4_address, spec.cluster_ip, "spec.clusterIP", errors);
  if (headless && spec.type == "NodePort")
    errors.push_back(
        invalid("spec.clusterIP", quote("None"), "may not be set to 'None' for NodePort services"));
  if (spec.ports.empty() && !headless)
    errors.push_back(required("spec.ports"));
  std::set<std::string> names;
  std::set<std::pair<int32_t, std::string>> port_protocols;
  std::set<int32_t> node_ports;
  for (std::size_t i = 0; i < spec.ports.size(); ++i) {
    const auto& port = spec.ports[i];
    std::string p = index("spec.ports", i);
    if (port.name.empty()) {
      if (spec.ports.size() > 1)
        errors.push_back(
            required(child(p, "name"), "a name is required when a service has more than one port"));
    } else {
      check_string(dns1123_label, port.name, child(p, "name"), errors);
      if (!names.insert(port.name).second)
        errors.push_back(duplicate(child(p, "name"), quote(port.name)));
    }
    check_enum(port.protocol, {"TCP", "UDP", "SCTP"}, child(p, "protocol"), errors);
    check(port_number(port.port), child(p, "port"), std::to_string(port.port), errors);
    if (!port_protocols.insert({port.port, port.protocol}).second)
      errors.push_back(duplicate(
          p, "{port: " + std::to_string(port.port) + ", protocol: " + quote(port.protocol) + "}"));
    validate_port_ref(port.target_port, child(p, "targetPort"), errors);
    if (port.node_port != 0) {
      std::string np = child(p, "nodePort");
      if (spec.type != "NodePort")
        errors.push_back(forbidden(np, "may not be used when `type` is '" + spec.type + "'"));
      else if (port.node_port < node_port_min || port.node_port > node_port_max)
        errors.push_back(invalid(np, std::to_string(port.node_port),
                                 "provided port is not in the valid range. The range of valid "
                                 "ports is 30000-32767"));
      else if (!node_ports.insert(port.node_port).second)
        errors.push_back(duplicate(np, std::to_string(port.node_port)));
    }
  }
  validate_labels(spec.selector, "spec.selector", errors);
  for (std::size_t i = 0; i < spec.external_ips.size(); ++i)
    check_string(ipv4_address, spec.external_ips[i], index("spec.externalIPs", i), errors);
}

void validate_addresses(const std::vector<endpoint_address>& addresses, const std::string& path,
                        field_errors& errors) {
  for (std::size_t j = 0; j < addresses.size(); ++j) {
    std::string p = index(path, j);
    check_string(ipv4_address, addresses[j].ip, child(p, "ip"), errors);
    if (!addresses[j].node_name.empty())
      check_string(dns1123_subdomain, addresses[j].node_name, child(p, "nodeName"), errors);
  }
}

void validate_object(const endpoints& e, field_errors& errors) {
  validate_meta(e.metadata, info(object_kind::endpoints), dns1123_subdomain, errors);
  for (std::size_t i = 0; i < e.subsets.size(); ++i) {
    const auto& subset = e.subsets[i];
    std::string p = index("subsets", i);
    if (subset.addresses.empty() && subset.not_ready_addresses.empty())
      errors.push_back(
          required(child(p, "addresses"), "must specify `addresses` or `notReadyAddresses`"));
    validate_addresses(subset.addresses, child(p, "addresses"), errors);
    validate_addresses(subset.not_ready_addresses, child(p, "notReadyAddresses"), errors);
    std::set<std::string> names;
    for (std::size_t j = 0; j < subset.ports.size(); ++j) {
      const auto& port = subset.ports[j];
      std::string pp = index(child(p, "ports"), j);
      if (port.name.empty() && subset.ports.size() > 1)
        errors.push_back(required(child(pp, "name")));
      if (!port.name.empty()) {
        check_string(dns1123_label, port.name, child(pp, "name"), errors);
        if (!names.insert(port.name).second)
          errors.push_back(duplicate(child(pp, "name"), quote(port.name)));
      }
      check(port_number(port.port), child(pp, "port"), std::to_string(port.port), errors);
      check_enum(port.protocol, {"TCP", "UDP", "SCTP"}, child(pp, "protocol"), errors);
    }
  }
}

void validate_object(const node& n, field_errors& errors) {
  validate_meta(n.metadata, info(object_kind::node), dns1123_subdomain, errors);
  if (!n.spec.pod_cidr.empty())
    check_string(ipv4_cidr, n.spec.pod_cidr, "spec.podCIDR", errors);
  validate_resource_list(n.status.capacity, "status.capacity", errors);
  validate_resource_list(n.status.allocatable, "status.allocatable", errors);
  for (std::size_t i = 0; i < n.status.addresses.size(); ++i)
    check_enum(n.status.addresses[i].type,
               {"InternalIP", "ExternalIP", "Hostname", "InternalDNS", "ExternalDNS"},
               child(index("status.addresses", i), "type"), errors);
  for (std::size_t i = 0; i < n.status.conditions.size(); ++i)
    check_enum(n.status.conditions[i].status, {"True", "False", "Unknown"},
               child(index("status.conditions", i), "status"), errors);
}

void validate_object(const event& e, field_errors& errors) {
  validate_meta(e.metadata, info(object_kind::event), dns1123_subdomain, errors);
  if (e.involved_object.kind.empty())
    errors.push_back(required("involvedObject.kind"));
  if (e.involved_object.name.empty())
    errors.push_back(required("involvedObject.name"));
  if (!e.involved_object.namespace_.empty() &&
      e.involved_object.namespace_ != e.metadata.namespace_)
    errors.push_back(invalid("involvedObject.namespace", quote(e.involved_object.namespace_),
                             "does not match event.namespace"));
  check_enum(e.type, {"Normal", "Warning"}, "type", errors, true);
  check_non_negative(e.count, "count", errors);
}

void validate_object(const resource_quota& q, field_errors& errors) {
  validate_meta(q.metadata, info(object_kind::resource_quota), dns1123_subdomain, errors);
  static const std::set<std::string> supported = {"pods",
                                                  "cpu",
                                                  "memory",
                                                  "requests.cpu",
                                                  "requests.memory",
                                                  "limits.cpu",
                                                  "limits.memory",
                                                  "services",
                                                  "services.nodeports",
                                                  "replicationcontrollers",
                                                  "resourcequotas",
                                                  "secrets",
                                                  "configmaps",
                                                  "persistentvolumeclaims",
                                                  "ephemeral-storage",
                                                  "requests.ephemeral-storage",
                                                  "limits.ephemeral-storage"};
  for (const auto& [name, value] : q.spec.hard) {
    std::string p = key("spec.hard", name);
    if (!supported.count(name) && name.rfind("count/", 0) != 0)
      errors.push_back(invalid(p, quote(name), "must be a standard resource for quota"));
    if (value.milli() < 0)
      errors.push_back(invalid(p, quote(value.text()), "must be greater than or equal to 0"));
  }
}

void validate_object(const limit_range& lr, field_errors& errors) {
  validate_meta(lr.metadata, info(object_kind::limit_range), dns1123_subdomain, errors);
  for (std::size_t i = 0; i < lr.spec.limits.size(); ++i) {
    const auto& item = lr.spec.limits[i];
    std::string p = index("spec.limits", i);
    check_enum(item.type, {"Pod", "Container"}, child(p, "type"), errors);
    validate_resource_list(item.max, child(p, "max"), errors);
    validate_resource_list(item.min, child(p, "min"), errors);
    validate_resource_list(item.default_, child(p, "default"), errors);
    validate_resource_list(item.default_request, child(p, "defaultRequest"), errors);
    if (item.type == "Pod" && (!item.default_.empty() || !item.default_request.empty()))
      errors.push_back(forbidden(child(p, "default"), "may not be specified when `type` is 'Pod'"));
    for (const auto& [name, min] : item.min) {
      auto max = item.max.find(name);
      if (max != item.max.end() && min.milli() > max->second.milli())
        errors.push_back(invalid(
            key(child(p, "min"), name), quote(min.text()),
            "min value " + min.text() + " is greater than max value " + max->second.text()));
    }
    for (const auto& [name, def] : item.default_) {
      auto max = item.max.find(name);
      auto min = item.min.find(name);
      if (max != item.max.end() && def.milli() > max->second.milli())
        errors.push_back(invalid(
            key(child(p, "default"), name), quote(def.text()),
            "default value " + def.text() + " is greater than max value " + max->second.text()));
      if (min != item.min.end() && def.milli() < min->second.milli())
        errors.push_back(invalid(
            key(child(p, "default"), name), quote(def.text()),
            "min value " + min->second.text() + " is greater than default value " + def.text()));
    }
    for (const auto& [name, request] : item.default_request) {
      auto def = item.default_.find(name);
      if (def != item.default_.end() && request.milli() > def->second.milli())
        errors.push_back(invalid(key(child(p, "defaultRequest"), name), quote(request.text()),
                                 "default request value " + request.text() +
                                     " is greater than default limit value " + def->second.text()));
    }
  }
}

// Kubernetes' ValidatePolicyRule.
void validate_rules(const std::vector<policy_rule>& rules, bool namespaced, field_errors& errors) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    const std::string p = index("rules", i);
    if (rule.verbs.empty())
      errors.push_back(required(child(p, "verbs"), "verbs must contain at least one value"));
    if (!rule.non_resource_urls.empty()) {
      if (namespaced)
        errors.push_back(invalid(child(p, "nonResourceURLs"), "",
                                 "namespaced rules cannot apply to non-resource URLs"));
      if (!rule.api_groups.empty() || !rule.resources.empty() || !rule.resource_names.empty())
        errors.push_back(invalid(child(p, "nonResourceURLs"), "",
                                 "rules cannot apply to both regular resources and non-resource "
                                 "URLs"));
      continue;
    }
    if (rule.api_groups.empty())
      errors.push_back(
          required(child(p, "apiGroups"), "resource rules must supply at least one api group"));
    if (rule.resources.empty())
      errors.push_back(
          required(child(p, "resources"), "resource rules must supply at least one resource"));
  }
}

void validate_object(const role& r, field_errors& errors) {
  validate_meta(r.metadata, info(object_kind::role), path_segment_name, errors);
  validate_rules(r.rules, true, errors);
}

void validate_object(const cluster_role& r, field_errors& errors) {
  validate_meta(r.metadata, info(object_kind::cluster_role), path_segment_name, errors);
  validate_rules(r.rules, false, errors);
}

// Kubernetes' ValidateRoleBinding and ValidateRoleBindingSubject.
void validate_binding(const role_binding& b, bool namespaced, field_errors& errors) {
  const std::string rbac_group = "rbac.authorization.k8s.io";
  if (b.role_ref_.api_group != rbac_group)
    errors.push_back(
        not_supported("roleRef.apiGroup", quote(b.role_ref_.api_group), {rbac_group}));
  if (namespaced)
    check_enum(b.role_ref_.kind, {"Role", "ClusterRole"}, "roleRef.kind", errors);
  else
    check_enum(b.role_ref_.kind, {"ClusterRole"}, "roleRef.kind", errors);
  check_required_name(path_segment_name, b.role_ref_.name, "roleRef.name", errors);
  for (std::size_t i = 0; i < b.subjects.size(); ++i) {
    const auto& s = b.subjects[i];
    const std::string p = index("subjects", i);
    if (s.name.empty())
      errors.push_back(required(child(p, "name")));
    if (s.kind == "ServiceAccount") {
      if (!s.name.empty())
        check_string(dns1123_subdomain, s.name, child(p, "name"), errors);
      if (!s.api_group.empty())
        errors.push_back(not_supported(child(p, "apiGroup"), quote(s.api_group), {""}));
      if (!namespaced && s.namespace_.empty())
        errors.push_back(required(child(p, "namespace")));
      else if (!s.namespace_.empty())
        check_string(dns1123_label, s.namespace_, child(p, "namespace"), errors);
    } else if (s.kind == "User" || s.kind == "Group") {
      if (s.api_group != rbac_group)
        errors.push_back(not_supported(child(p, "apiGroup"), quote(s.api_group), {rbac_group}));
    } else {
      check_enum(s.kind, {"ServiceAccount", "User", "Group"}, child(p, "kind"), errors);
    }
  }
}

void validate_object(const role_binding& b, field_errors& errors) {
  validate_meta(b.metadata, info(object_kind::role_binding), path_segment_name, errors);
  validate_binding(b, true, errors);
}

void validate_object(const cluster_role_binding& b, field_errors& errors) {
  validate_meta(b.metadata, info(object_kind::cluster_role_binding), path_segment_name, errors);
  validate_binding(b, false, errors);
}

// Kubernetes' MaxSecretSize, which ConfigMaps share (the values' bytes together).
constexpr std::size_t max_config_bytes = 1024 * 1024;

void validate_config_keys(const std::map<std::string, std::string>& entries,
                          const std::string& path, std::size_t& total, field_errors& errors) {
  for (const auto& [k, v] : entries) {
    check_string(config_map_key, k, key(path, k), errors);
    total += v.size();  // values only, as Kubernetes counts
  }
}

// Kubernetes' ValidateSecret: keys, size, and the keys each well-known type requires.
void validate_object(const secret& s, field_errors& errors) {
  validate_meta(s.metadata, info(object_kind::secret), dns1123_subdomain, errors);
  std::size_t total = 0;
  validate_config_keys(s.data, "data", total, errors);
  validate_config_keys(s.string_data, "stringData", total, errors);
  if (total > max_config_bytes)
    errors.push_back(too_long("data", max_config_bytes));
  auto require_key = [&](const char* k) {
    if (!s.data.count(k))
      errors.push_back(required(key("data", k)));
  };
  if (s.type == "kubernetes.io/service-account-token") {
    if (!s.metadata.annotations.count("kubernetes.io/service-account.name"))
      errors.push_back(
          required(key("metadata.annotations", "kubernetes.io/service-account.name")));
  } else if (s.type == "kubernetes.io/dockercfg" || s.type == "kubernetes.io/dockerconfigjson") {
    const char* k = s.type == "kubernetes.io/dockercfg" ? ".dockercfg" : ".dockerconfigjson";
    auto it = s.data.find(k);
    if (it == s.data.end())
      errors.push_back(required(key("data", k)));
    // (json::parse stops at a NUL: what follows one would pass unread.)
    else if (auto doc = json::parse(it->second, nullptr, false);
             !doc.is_object() || it->second.find('\0') != std::string::npos)
      errors.push_back(invalid(key("data", k), "<secret contents redacted>",
                               "must be a valid JSON document"));
  } else if (s.type == "kubernetes.io/basic-auth") {
    if (!s.data.count("username") && !s.data.count("password"))
      errors.push_back(required(key("data", "username"),
                                "must specify at least one of username or password"));
  } else if (s.type == "kubernetes.io/ssh-auth") {
    require_key("ssh-privatekey");
  } else if (s.type == "kubernetes.io/tls") {
    require_key("tls.crt");
    require_key("tls.key");
  } else if (s.type.size() > 253) {
    errors.push_back(too_long("type", 253));
  }
}

// Kubernetes' ValidateConfigMap: keys unique across data and binaryData, 1 MiB in all.
void validate_object(const config_map& c, field_errors& errors) {
  validate_meta(c.metadata, info(object_kind::config_map), dns1123_subdomain, errors);
  std::size_t total = 0;
  validate_config_keys(c.data, "data", total, errors);
  validate_config_keys(c.binary_data, "binaryData", total, errors);
  for (const auto& [k, v] : c.binary_data)
    if (c.data.count(k))
      errors.push_back(invalid(key("data", k), quote(k), "duplicate of key present in binaryData"));
  if (total > max_config_bytes)
    errors.push_back(too_long("", max_config_bytes));
}

void validate_object(const service_account& sa, field_errors& errors) {
  validate_meta(sa.metadata, info(object_kind::service_account), dns1123_subdomain, errors);
  for (std::size_t i = 0; i < sa.image_pull_secrets.size(); ++i)
    check_required_name(dns1123_subdomain, sa.image_pull_secrets[i].name,
                        child(index("imagePullSecrets", i), "name"), errors);
  for (std::size_t i = 0; i < sa.secrets.size(); ++i)
    check_required_name(dns1123_subdomain, sa.secrets[i].name, child(index("secrets", i), "name"),
                        errors);
}

}  // namespace

void validate_labels(const string_map& labels, const std::string& path, field_errors& errors) {
  for (const auto& [k, v] : labels) {
    check_string(qualified_name, k, path, errors);
    check_string(label_value, v, key(path, k), errors);
  }
}

void validate_field_manager(const std::string& manager, const std::string& path,
                            field_errors& errors) {
  if (manager.size() > 128)
    errors.push_back(too_long(path, 128));
  if (!valid_utf8(manager)) {
    errors.push_back(invalid(path, "", "must be valid UTF-8"));
    return;
  }
  // Control characters are not printable; other UTF-8 sequences are taken as printable.
  for (std::size_t i = 0; i < manager.size(); ++i) {
    auto c = static_cast<unsigned char>(manager[i]);
    if (c < 0x20 || c == 0x7f) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", c);
      errors.push_back(invalid(
          path, quote(manager),
          std::string("invalid character ") + code + " (at position " + std::to_string(i) + ")"));
    }
  }
}

field_errors validate(const any_object& object) {
  field_errors errors;
  std::visit([&](const auto& o) { validate_object(o, errors); }, object);
  return errors;
}

}  // namespace capstan::messages
