#include "messages/validation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "messages/input_text.hpp"
#include "messages/json_codec.hpp"
#include "messages/json_input.hpp"
#include "messages/name_rules.hpp"

namespace capstan::messages {

namespace {

using name_rule = problems (*)(const std::string&);

void check(const problems& found, const std::string& path, const std::string& value,
           field_errors& errors) {
  for (const auto& p : found)
    errors.push_back(invalid(path, value, p));
}

void check_string(name_rule rule, const std::string& value, const std::string& path,
                  field_errors& errors) {
  check(rule(value), path, quote(value), errors);
}

void check_required_name(name_rule rule, const std::string& value, const std::string& path,
                         field_errors& errors) {
  if (value.empty())
    errors.push_back(required(path, "name is required"));
  else
    check_string(rule, value, path, errors);
}

void check_enum(const std::string& value, const std::vector<std::string>& allowed,
                const std::string& path, field_errors& errors, bool allow_empty = false) {
  if (allow_empty && value.empty())
    return;
  for (const auto& a : allowed)
    if (value == a)
      return;
  if (value.empty())
    errors.push_back(required(path));
  else
    errors.push_back(not_supported(path, quote(value), allowed));
}

void check_non_negative(int64_t value, const std::string& path, field_errors& errors) {
  if (value < 0)
    errors.push_back(invalid(path, std::to_string(value), "must be greater than or equal to 0"));
}

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

// Standard resource names capstan understands, plus any domain-qualified extended resource.
bool known_resource_name(const std::string& name) {
  static const std::set<std::string> standard = {"cpu", "memory", "pods", "ephemeral-storage"};
  if (standard.count(name) || name.rfind("hugepages-", 0) == 0)
    return true;
  return name.find('/') != std::string::npos && qualified_name(name).empty();
}

void validate_resource_list(const resource_list& list, const std::string& path,
                            field_errors& errors) {
  for (const auto& [name, q] : list) {
    std::string p = key(path, name);
    if (!known_resource_name(name))
      errors.push_back(invalid(p, quote(name),
                               "must be a standard resource type (cpu, memory, pods, "
                               "ephemeral-storage) or fully qualified"));
    if (q.milli() < 0)
      errors.push_back(invalid(p, quote(q.text()), "must be greater than or equal to 0"));
    if (name == "memory" && q.milli() % 1000 != 0 && q.milli() > 0)
      errors.push_back(
          invalid(p, quote(q.text()), "fractional byte value is invalid, must be an integer"));
  }
}

void validate_resources(const resource_requirements& r, const std::string& path,
                        field_errors& errors) {
  validate_resource_list(r.limits, child(path, "limits"), errors);
  validate_resource_list(r.requests, child(path, "requests"), errors);
  for (const auto& [name, request] : r.requests) {
    auto limit = r.limits.find(name);
    if (limit != r.limits.end() && request.milli() > limit->second.milli())
      errors.push_back(
          invalid(key(child(path, "requests"), name), quote(request.text()),
                  "must be less than or equal to " + name + " limit of " + limit->second.text()));
  }
}

void validate_port_ref(const int_or_string& port, const std::string& path, field_errors& errors) {
  if (port.is_string)
    check_string(port_name, port.string_value, path, errors);
  else
    check(port_number(port.int_value), path, std::to_string(port.int_value), errors);
}

void validate_probe(const std::optional<probe>& p, const std::string& path, field_errors& errors) {
  if (!p)
    return;
  int handlers = (p->exec ? 1 : 0) + (p->http_get ? 1 : 0) + (p->tcp_socket ? 1 : 0);
  if (handlers == 0)
    errors.push_back(required(path, "must specify a handler type (exec, httpGet or tcpSocket)"));
  else if (handlers > 1)
    errors.push_back(forbidden(path, "may not specify more than 1 handler type"));
  if (p->exec && p->exec->command.empty())
    errors.push_back(required(child(child(path, "exec"), "command")));
  if (p->http_get)
    validate_port_ref(p->http_get->port, child(child(path, "httpGet"), "port"), errors);
  if (p->http_get && !p->http_get->scheme.empty())
    check_enum(p->http_get->scheme, {"HTTP", "HTTPS"}, child(child(path, "httpGet"), "scheme"),
               errors);
  if (p->tcp_socket)
    validate_port_ref(p->tcp_socket->port, child(child(path, "tcpSocket"), "port"), errors);
  check_non_negative(p->initial_delay_seconds, child(path, "initialDelaySeconds"), errors);
  check_non_negative(p->timeout_seconds, child(path, "timeoutSeconds"), errors);
  check_non_negative(p->period_seconds, child(path, "periodSeconds"), errors);
  check_non_negative(p->success_threshold, child(path, "successThreshold"), errors);
  check_non_negative(p->failure_threshold, child(path, "failureThreshold"), errors);
}

void validate_volumes(const std::vector<volume>& volumes, const std::string& path,
                      field_errors& errors, std::set<std::string>& names) {
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const auto& v = volumes[i];
    std::string p = index(path, i);
    check_required_name(dns1123_label, v.name, child(p, "name"), errors);
    if (!v.name.empty() && !names.insert(v.name).second)
      errors.push_back(duplicate(child(p, "name"), quote(v.name)));
    int sources = (v.empty_dir ? 1 : 0) + (v.host_path ? 1 : 0) + (v.nfs ? 1 : 0);
    if (sources == 0)
      errors.push_back(required(p, "must specify a volume type (emptyDir, hostPath or nfs)"));
    else if (sources > 1)
      errors.push_back(forbidden(p, "may not specify more than 1 volume type"));
    if (v.empty_dir)
      check_enum(v.empty_dir->medium, {"", "Memory"}, child(child(p, "emptyDir"), "medium"), errors,
                 true);
    if (v.host_path) {
      std::string hp = child(p, "hostPath");
      if (v.host_path->path.empty())
        errors.push_back(required(child(hp, "path")));
      check_enum(v.host_path->type,
                 {"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket",
                  "CharDevice", "BlockDevice"},
                 child(hp, "type"), errors, true);
    }
    if (v.nfs) {
      std::string np = child(p, "nfs");
      // A host name or an address: it becomes an argument of the node's mount.
      const auto& server = v.nfs->server;
      if (server.empty())
        errors.push_back(required(child(np, "server")));
      else if (server.size() > 253 || server[0] == '-' ||
               !std::all_of(server.begin(), server.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' ||
                        c == ']';
               }))
        errors.push_back(invalid(child(np, "server"), quote(server),
                                 "must be a host name or an IP address"));
      if (v.nfs->path.empty())
        errors.push_back(required(child(np, "path")));
      else if (v.nfs->path[0] != '/')
        errors.push_back(
            invalid(child(np, "path"), quote(v.nfs->path), "must be an absolute path"));
    }
  }
}

void validate_container(const container& c, const std::string& p,
                        const std::set<std::string>& volume_names, field_errors& errors,
                        std::set<std::string>& port_names,
                        std::set<std::pair<int32_t, std::string>>& host_ports) {
  check_required_name(dns1123_label, c.name, child(p, "name"), errors);
  if (c.image.empty())
    errors.push_back(required(child(p, "image")));
  else if (c.image.find_first_of(" \t\n") != std::string::npos)
    errors.push_back(invalid(child(p, "image"), quote(c.image), "must not contain whitespace"));
  check_enum(c.image_pull_policy, {"Always", "IfNotPresent", "Never"}, child(p, "imagePullPolicy"),
             errors, true);

  for (std::size_t j = 0; j < c.ports.size(); ++j) {
    const auto& port = c.ports[j];
    std::string pp = index(child(p, "ports"), j);
    if (!port.name.empty()) {
      check_string(port_name, port.name, child(pp, "name"), errors);
      if (!port_names.insert(port.name).second)
        errors.push_back(duplicate(child(pp, "name"), quote(port.name)));
    }
    if (port.container_port == 0)
      errors.push_back(required(child(pp, "containerPort")));
    else
      check(port_number(port.container_port), child(pp, "containerPort"),
            std::to_string(port.container_port), errors);
    if (port.host_port != 0) {
      check(port_number(port.host_port), child(pp, "hostPort"), std::to_string(port.host_port),
            errors);
      if (!host_ports.insert({port.host_port, port.protocol}).second)
        errors.push_back(duplicate(child(pp, "hostPort"),
                                   quote(std::to_string(port.host_port) + "/" + port.protocol)));
    }
    check_enum(port.protocol, {"TCP", "UDP", "SCTP"}, child(pp, "protocol"), errors);
    if (!port.host_ip.empty())
      check_string(ipv4_address, port.host_ip, child(pp, "hostIP"), errors);
  }

  for (std::size_t j = 0; j < c.env.size(); ++j) {
    const auto& e = c.env[j];
    std::string ep = index(child(p, "env"), j);
    if (e.name.empty())
      errors.push_back(required(child(ep, "name")));
    else
      check_string(env_var_name, e.name, child(ep, "name"), errors);
    if (e.value_from) {
      if (!e.value.empty())
        errors.push_back(
            invalid(child(ep, "valueFrom"), "", "may not be specified when `value` is not empty"));
      if (!e.value_from->field_ref)
        errors.push_back(required(child(ep, "valueFrom"), "must specify one of: `fieldRef`"));
      else
        check_enum(e.value_from->field_ref->field_path,
                   {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.podIP"},
                   child(child(child(ep, "valueFrom"), "fieldRef"), "fieldPath"), errors);
    }
  }

  validate_resources(c.resources, child(p, "resources"), errors);

  std::set<std::string> mount_paths;
  for (std::size_t j = 0; j < c.volume_mounts.size(); ++j) {
    const auto& m = c.volume_mounts[j];
    std::string mp = index(child(p, "volumeMounts"), j);
    if (m.name.empty())
      errors.push_back(required(child(mp, "name")));
    else if (!volume_names.count(m.name))
      errors.push_back(not_found(child(mp, "name"), quote(m.name)));
    if (m.mount_path.empty())
      errors.push_back(required(child(mp, "mountPath")));
    else if (!mount_paths.insert(m.mount_path).second)
      errors.push_back(invalid(child(mp, "mountPath"), quote(m.mount_path), "must be unique"));
    if (m.sub_path.find("..") != std::string::npos || (!m.sub_path.empty() && m.sub_path[0] == '/'))
      errors.push_back(
          invalid(child(mp, "subPath"), quote(m.sub_path), "must be a relative path without '..'"));
  }
  validate_probe(c.liveness_probe, child(p, "livenessProbe"), errors);
  validate_probe(c.readiness_probe, child(p, "readinessProbe"), errors);
  validate_probe(c.startup_probe, child(p, "startupProbe"), errors);
  // Kubernetes: liveness and startup probes must have successThreshold 1.
  for (const auto& [probe, name] :
       {std::pair{&c.liveness_probe, "livenessProbe"}, std::pair{&c.startup_probe, "startupProbe"}})
    if (*probe && (*probe)->success_threshold > 1)
      errors.push_back(invalid(child(child(p, name), "successThreshold"),
                               std::to_string((*probe)->success_threshold), "must be 1"));
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

void validate_pod_spec(const pod_spec& spec, const std::string& path, field_errors& errors) {
  std::set<std::string> volume_names;
  validate_volumes(spec.volumes, child(path, "volumes"), errors, volume_names);
  if (spec.containers.empty())
    errors.push_back(required(child(path, "containers")));
  std::set<std::string> container_names, port_names;
  std::set<std::pair<int32_t, std::string>> host_ports;
  for (std::size_t i = 0; i < spec.containers.size(); ++i) {
    std::string p = index(child(path, "containers"), i);
    const auto& c = spec.containers[i];
    if (!c.name.empty() && !container_names.insert(c.name).second)
      errors.push_back(duplicate(child(p, "name"), quote(c.name)));
    validate_container(c, p, volume_names, errors, port_names, host_ports);
  }
  check_enum(spec.restart_policy, {"Always", "OnFailure", "Never"}, child(path, "restartPolicy"),
             errors);
  check_enum(spec.dns_policy, {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
             child(path, "dnsPolicy"), errors, true);
  if (spec.termination_grace_period_seconds)
    check_non_negative(*spec.termination_grace_period_seconds,
                       child(path, "terminationGracePeriodSeconds"), errors);
  if (spec.active_deadline_seconds && *spec.active_deadline_seconds <= 0)
    errors.push_back(invalid(child(path, "activeDeadlineSeconds"),
                             std::to_string(*spec.active_deadline_seconds),
                             "must be between 1 and 2147483647, inclusive"));
  validate_labels(spec.node_selector, child(path, "nodeSelector"), errors);
  if (!spec.node_name.empty())
    check_string(dns1123_subdomain, spec.node_name, child(path, "nodeName"), errors);
  if (!spec.service_account_name.empty())
    check_string(dns1123_subdomain, spec.service_account_name, child(path, "serviceAccountName"),
                 errors);
  if (!spec.hostname.empty())
    check_string(dns1123_label, spec.hostname, child(path, "hostname"), errors);
  if (!spec.subdomain.empty())
    check_string(dns1123_label, spec.subdomain, child(path, "subdomain"), errors);
}

field_errors validate(const any_object& object) {
  field_errors errors;
  std::visit([&](const auto& o) { validate_object(o, errors); }, object);
  return errors;
}

}  // namespace capstan::messages
