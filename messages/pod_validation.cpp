// Validation of a pod's spec (also a template's), with Kubernetes' rules: volumes, containers
// (ports, env, resources, mounts, probes, lifecycle hooks), policies.
#include <algorithm>
#include <cctype>
#include <set>

#include "messages/detail/validation_checks.hpp"
#include "messages/input_text.hpp"
#include "messages/validation.hpp"

namespace capstan::messages {

namespace {

using namespace detail;

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

// The actions a probe and a lifecycle hook share (Kubernetes validateHandler): exactly one
// of them (`sleep` counts for hooks; `kinds` names the ones allowed), each well formed.
void validate_actions(const std::optional<exec_action>& exec,
                      const std::optional<http_get_action>& http_get,
                      const std::optional<tcp_socket_action>& tcp_socket, bool has_sleep,
                      const char* kinds, const std::string& path, field_errors& errors) {
  int handlers = (exec ? 1 : 0) + (http_get ? 1 : 0) + (tcp_socket ? 1 : 0) + (has_sleep ? 1 : 0);
  if (handlers == 0)
    errors.push_back(required(path, std::string("must specify a handler type (") + kinds + ")"));
  else if (handlers > 1)
    errors.push_back(forbidden(path, "may not specify more than 1 handler type"));
  if (exec && exec->command.empty())
    errors.push_back(required(child(child(path, "exec"), "command")));
  if (http_get) {
    validate_port_ref(http_get->port, child(child(path, "httpGet"), "port"), errors);
    if (!http_get->scheme.empty())
      check_enum(http_get->scheme, {"HTTP", "HTTPS"}, child(child(path, "httpGet"), "scheme"),
                 errors);
  }
  if (tcp_socket)
    validate_port_ref(tcp_socket->port, child(child(path, "tcpSocket"), "port"), errors);
}

void validate_probe(const boxed<probe>& p, const std::string& path, field_errors& errors) {
  if (!p)
    return;
  validate_actions(p->exec, p->http_get, p->tcp_socket, false, "exec, httpGet or tcpSocket",
                   path, errors);
  check_non_negative(p->initial_delay_seconds, child(path, "initialDelaySeconds"), errors);
  check_non_negative(p->timeout_seconds, child(path, "timeoutSeconds"), errors);
  check_non_negative(p->period_seconds, child(path, "periodSeconds"), errors);
  check_non_negative(p->success_threshold, child(path, "successThreshold"), errors);
  check_non_negative(p->failure_threshold, child(path, "failureThreshold"), errors);
}

// A lifecycle hook (validateHandler, validateSleepAction): one action; a sleep of at least 1 s
// and at most the grace period.
void validate_lifecycle_handler(const std::optional<lifecycle_handler>& h, const std::string& path,
                                int64_t grace_period, field_errors& errors) {
  if (!h)
    return;
  validate_actions(h->exec, h->http_get, h->tcp_socket, h->sleep.has_value(),
                   "exec, httpGet, tcpSocket or sleep", path, errors);
  if (h->sleep && (h->sleep->seconds <= 0 || h->sleep->seconds > grace_period))
    errors.push_back(invalid(child(child(path, "sleep"), "seconds"),
                             std::to_string(h->sleep->seconds),
                             "must be greater than 0 and less than terminationGracePeriodSeconds (" +
                                 std::to_string(grace_period) + ")"));
}

// A file mode as Kubernetes accepts it: 0 to 0777.
void validate_file_mode(const std::optional<int32_t>& mode, const std::string& path,
                        field_errors& errors) {
  if (mode && (*mode < 0 || *mode > 0777))
    errors.push_back(invalid(path, std::to_string(*mode),
                             "must be a number between 0 and 0777 (octal), both inclusive"));
}

// Kubernetes' validateKeyToPath and validateLocalDescendingPath: each item a valid key and a
// relative path that stays inside the volume.
void validate_key_files(const std::vector<key_to_path>& items,
                        const std::optional<int32_t>& default_mode, const std::string& path,
                        field_errors& errors) {
  validate_file_mode(default_mode, child(path, "defaultMode"), errors);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const std::string ip = index(child(path, "items"), i);
    check_required_name(config_map_key, item.key, child(ip, "key"), errors);
    const std::string& file = item.path;
    const std::string fp = child(ip, "path");
    if (file.empty()) {
      errors.push_back(required(fp));
    } else if (file[0] == '/') {
      errors.push_back(invalid(fp, quote(file), "must be a relative path"));
    } else {
      // No element may be "..": the file would land outside the volume. Empty and "."
      // elements are refused too (Kubernetes cleans them away; the node writes the path as
      // given, so it must be plain).
      bool climbs = false, unclean = false;
      for (std::size_t start = 0; start <= file.size() && !climbs;) {
        std::size_t end = file.find('/', start);
        if (end == std::string::npos)
          end = file.size();
        climbs = file.compare(start, end - start, "..") == 0;
        unclean |= end == start || file.compare(start, end - start, ".") == 0;
        start = end + 1;
      }
      if (climbs)
        errors.push_back(invalid(fp, quote(file), "must not contain '..'"));
      else if (file.rfind("..", 0) == 0)
        errors.push_back(invalid(fp, quote(file), "must not start with '..'"));
      else if (unclean)
        errors.push_back(
            invalid(fp, quote(file), "must not contain empty or '.' path elements"));
      if (file.find('\0') != std::string::npos)
        errors.push_back(invalid(fp, quote(file), "must not contain NUL"));
    }
    validate_file_mode(item.mode, child(ip, "mode"), errors);
  }
}

void validate_volumes(const std::vector<volume>& volumes, const std::string& path,
                      field_errors& errors, std::set<std::string>& names) {
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const auto& v = volumes[i];
    std::string p = index(path, i);
    check_required_name(dns1123_label, v.name, child(p, "name"), errors);
    if (!v.name.empty() && !names.insert(v.name).second)
      errors.push_back(duplicate(child(p, "name"), quote(v.name)));
    int sources = (v.empty_dir ? 1 : 0) + (v.host_path ? 1 : 0) + (v.nfs ? 1 : 0) +
                  (v.secret ? 1 : 0) + (v.config_map ? 1 : 0);
    if (sources == 0)
      errors.push_back(required(
          p, "must specify a volume type (emptyDir, hostPath, nfs, secret or configMap)"));
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
    if (v.secret) {
      std::string sp = child(p, "secret");
      check_required_name(dns1123_subdomain, v.secret->secret_name, child(sp, "secretName"),
                          errors);
      validate_key_files(v.secret->items, v.secret->default_mode, sp, errors);
    }
    if (v.config_map) {
      std::string cp = child(p, "configMap");
      check_required_name(dns1123_subdomain, v.config_map->name, child(cp, "name"), errors);
      validate_key_files(v.config_map->items, v.config_map->default_mode, cp, errors);
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
                        const std::set<std::string>& volume_names, int64_t grace_period,
                        field_errors& errors,
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
      const std::string vp = child(ep, "valueFrom");
      const auto& from = *e.value_from;
      if (!e.value.empty())
        errors.push_back(invalid(vp, "", "may not be specified when `value` is not empty"));
      const int sources = (from.field_ref ? 1 : 0) + (from.config_map_key_ref ? 1 : 0) +
                          (from.secret_key_ref ? 1 : 0);
      if (sources == 0)
        errors.push_back(required(
            vp, "must specify one of: `fieldRef`, `configMapKeyRef` or `secretKeyRef`"));
      else if (sources > 1)
        errors.push_back(invalid(vp, "",
                                 "may not have more than one field specified at a time"));
      if (from.field_ref)
        check_enum(from.field_ref->field_path,
                   {"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.podIP"},
                   child(child(vp, "fieldRef"), "fieldPath"), errors);
      auto check_key_ref = [&](const key_selector& ref, const char* field) {
        const std::string rp = child(vp, field);
        check_required_name(dns1123_subdomain, ref.name, child(rp, "name"), errors);
        check_required_name(config_map_key, ref.key, child(rp, "key"), errors);
      };
      if (from.config_map_key_ref)
        check_key_ref(*from.config_map_key_ref, "configMapKeyRef");
      if (from.secret_key_ref)
        check_key_ref(*from.secret_key_ref, "secretKeyRef");
    }
  }

  for (std::size_t j = 0; j < c.env_from.size(); ++j) {
    const auto& from = c.env_from[j];
    const std::string fp = index(child(p, "envFrom"), j);
    const int sources = (from.config_map_ref ? 1 : 0) + (from.secret_ref ? 1 : 0);
    if (sources == 0)
      errors.push_back(required(fp, "must specify one of: `configMapRef` or `secretRef`"));
    else if (sources > 1)
      errors.push_back(invalid(fp, "", "may not have more than one field specified at a time"));
    if (from.config_map_ref)
      check_required_name(dns1123_subdomain, from.config_map_ref->name,
                          child(child(fp, "configMapRef"), "name"), errors);
    if (from.secret_ref)
      check_required_name(dns1123_subdomain, from.secret_ref->name,
                          child(child(fp, "secretRef"), "name"), errors);
    if (!from.prefix.empty())
      check_string(env_var_name, from.prefix, child(fp, "prefix"), errors);
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
  if (c.lifecycle) {
    validate_lifecycle_handler(c.lifecycle->post_start, child(child(p, "lifecycle"), "postStart"),
                               grace_period, errors);
    validate_lifecycle_handler(c.lifecycle->pre_stop, child(child(p, "lifecycle"), "preStop"),
                               grace_period, errors);
  }
  // Kubernetes: liveness and startup probes must have successThreshold 1.
  for (const auto& [probe, name] :
       {std::pair{&c.liveness_probe, "livenessProbe"}, std::pair{&c.startup_probe, "startupProbe"}})
    if (*probe && (*probe)->success_threshold > 1)
      errors.push_back(invalid(child(child(p, name), "successThreshold"),
                               std::to_string((*probe)->success_threshold), "must be 1"));
}

}  // namespace

// Kubernetes' validateDNSPolicy and validatePodDNSConfig: at most 3 nameservers (IP
// addresses), 32 search domains of 2048 characters in all, options with names; dnsPolicy None
// needs a dnsConfig with a nameserver.
void validate_dns_config(const pod_spec& spec, const std::string& path, field_errors& errors) {
  if (!spec.dns_config) {
    if (spec.dns_policy == "None")
      errors.push_back(required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
    return;
  }
  const auto& c = *spec.dns_config;
  const std::string nameservers = child(path, "nameservers");
  if (c.nameservers.size() > 3)
    errors.push_back(invalid(nameservers, "", "must not have more than 3 nameservers"));
  if (spec.dns_policy == "None" && c.nameservers.empty())
    errors.push_back(
        required(nameservers, "must provide at least one DNS nameserver when `dnsPolicy` is None"));
  for (std::size_t i = 0; i < c.nameservers.size(); ++i)
    check_string(ipv4_address, c.nameservers[i], index(nameservers, i), errors);
  const std::string searches = child(path, "searches");
  if (c.searches.size() > 32)
    errors.push_back(invalid(searches, "", "must not have more than 32 search paths"));
  std::size_t total = 0;
  for (std::size_t i = 0; i < c.searches.size(); ++i) {
    std::string domain = c.searches[i];
    total += domain.size() + 1;
    if (!domain.empty() && domain.back() == '.')
      domain.pop_back();
    for (const auto& problem : dns1123_subdomain(domain))
      errors.push_back(invalid(index(searches, i), quote(c.searches[i]), problem));
  }
  if (total > 2048)
    errors.push_back(invalid(searches, "", "must not have more than 2048 characters (including "
                                           "spaces) in the search list"));
  for (std::size_t i = 0; i < c.options.size(); ++i) {
    const auto& o = c.options[i];
    if (o.name.empty())
      errors.push_back(required(child(index(child(path, "options"), i), "name"), "Option.Name must not be empty"));
    else if (o.name.find_first_of(" \t\n:") != std::string::npos ||
             o.value.find_first_of(" \t\n") != std::string::npos)
      errors.push_back(invalid(child(index(child(path, "options"), i), "name"), quote(o.name),
                               "must not contain blanks or ':'"));
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
    validate_container(c, p, volume_names, spec.termination_grace_period_seconds.value_or(30),
                       errors, port_names, host_ports);
  }
  check_enum(spec.restart_policy, {"Always", "OnFailure", "Never"}, child(path, "restartPolicy"),
             errors);
  check_enum(spec.dns_policy, {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
             child(path, "dnsPolicy"), errors, true);
  validate_dns_config(spec, child(path, "dnsConfig"), errors);
  if (spec.termination_grace_period_seconds)
    check_non_negative(*spec.termination_grace_period_seconds,
                       child(path, "terminationGracePeriodSeconds"), errors);
  if (spec.active_deadline_seconds && *spec.active_deadline_seconds <= 0)
    errors.push_back(invalid(child(path, "activeDeadlineSeconds"),
                             std::to_string(*spec.active_deadline_seconds),
                             "must be between 1 and 2147483647, inclusive"));
  validate_labels(spec.node_selector, child(path, "nodeSelector"), errors);
  for (std::size_t i = 0; i < spec.image_pull_secrets.size(); ++i)
    check_required_name(dns1123_subdomain, spec.image_pull_secrets[i].name,
                        child(index(child(path, "imagePullSecrets"), i), "name"), errors);
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

}  // namespace capstan::messages
