// Pod and its parts (core/v1 Pod, PodSpec, Container, Volume, PodStatus, PodTemplateSpec).
#pragma once

#include "messages/object_meta.hpp"

namespace capstan::messages {

struct container_port {
  std::string name;
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol;  // TCP | UDP | SCTP; defaulted to TCP
  std::string host_ip;
};
template <class F>
void fields(F& f, container_port& x) {
  f("name", x.name);
  f("hostPort", x.host_port);
  f.always("containerPort", x.container_port);
  f("protocol", x.protocol);
  f("hostIP", x.host_ip);
}

struct object_field_selector {
  std::string api_version;
  std::string field_path;
};
template <class F>
void fields(F& f, object_field_selector& x) {
  f("apiVersion", x.api_version);
  f.always("fieldPath", x.field_path);
}

// One key of a ConfigMap or Secret in the pod's namespace (SecretKeySelector,
// ConfigMapKeySelector). `optional_`: a missing object or key is no error then.
struct key_selector {
  std::string name;
  std::string key;
  std::optional<bool> optional_;
};
template <class F>
void fields(F& f, key_selector& x) {
  f("name", x.name);
  f.always("key", x.key);
  f("optional", x.optional_);
}
struct config_map_key_selector : key_selector {};
struct secret_key_selector : key_selector {};

struct env_var_source {
  std::optional<object_field_selector> field_ref;
  std::optional<config_map_key_selector> config_map_key_ref;
  std::optional<secret_key_selector> secret_key_ref;
};
template <class F>
void fields(F& f, env_var_source& x) {
  f("fieldRef", x.field_ref);
  f("configMapKeyRef", x.config_map_key_ref);
  f("secretKeyRef", x.secret_key_ref);
}

// A whole ConfigMap or Secret as variables (ConfigMapEnvSource, SecretEnvSource).
struct env_object_ref {
  std::string name;
  std::optional<bool> optional_;
};
template <class F>
void fields(F& f, env_object_ref& x) {
  f("name", x.name);
  f("optional", x.optional_);
}
struct config_map_env_source : env_object_ref {};
struct secret_env_source : env_object_ref {};

// envFrom: every key of the object becomes a variable, `prefix` prepended. Exactly one of the
// two references is set (validation enforces it).
struct env_from_source {
  std::string prefix;
  std::optional<config_map_env_source> config_map_ref;
  std::optional<secret_env_source> secret_ref;
};
template <class F>
void fields(F& f, env_from_source& x) {
  f("prefix", x.prefix);
  f("configMapRef", x.config_map_ref);
  f("secretRef", x.secret_ref);
}

struct env_var {
  std::string name;
  std::string value;
  boxed<env_var_source> value_from;
};
template <class F>
void fields(F& f, env_var& x) {
  f.always("name", x.name);
  f("value", x.value);
  f("valueFrom", x.value_from);
}

struct resource_requirements {
  resource_list limits;
  resource_list requests;
};
template <class F>
void fields(F& f, resource_requirements& x) {
  f("limits", x.limits);
  f("requests", x.requests);
}

struct volume_mount {
  std::string name;
  bool read_only = false;
  std::string mount_path;
  std::string sub_path;
};
template <class F>
void fields(F& f, volume_mount& x) {
  f.always("name", x.name);
  f("readOnly", x.read_only);
  f.always("mountPath", x.mount_path);
  f("subPath", x.sub_path);
}

struct exec_action {
  std::vector<std::string> command;
};
template <class F>
void fields(F& f, exec_action& x) {
  f("command", x.command);
}

struct http_get_action {
  std::string path;
  int_or_string port;
  std::string host;
  std::string scheme;
};
template <class F>
void fields(F& f, http_get_action& x) {
  f("path", x.path);
  f.always("port", x.port);
  f("host", x.host);
  f("scheme", x.scheme);
}

struct tcp_socket_action {
  int_or_string port;
  std::string host;
};
template <class F>
void fields(F& f, tcp_socket_action& x) {
  f.always("port", x.port);
  f("host", x.host);
}

struct probe {
  std::optional<exec_action> exec;
  std::optional<http_get_action> http_get;
  std::optional<tcp_socket_action> tcp_socket;
  int32_t initial_delay_seconds = 0;
  int32_t timeout_seconds = 0;
  int32_t period_seconds = 0;
  int32_t success_threshold = 0;
  int32_t failure_threshold = 0;
};
template <class F>
void fields(F& f, probe& x) {
  f("exec", x.exec);
  f("httpGet", x.http_get);
  f("tcpSocket", x.tcp_socket);
  f("initialDelaySeconds", x.initial_delay_seconds);
  f("timeoutSeconds", x.timeout_seconds);
  f("periodSeconds", x.period_seconds);
  f("successThreshold", x.success_threshold);
  f("failureThreshold", x.failure_threshold);
}

struct sleep_action {
  int64_t seconds = 0;
};
template <class F>
void fields(F& f, sleep_action& x) {
  f.always("seconds", x.seconds);
}

// What a lifecycle hook does: exactly one of the actions.
struct lifecycle_handler {
  std::optional<exec_action> exec;
  std::optional<http_get_action> http_get;
  std::optional<tcp_socket_action> tcp_socket;
  std::optional<sleep_action> sleep;
};
template <class F>
void fields(F& f, lifecycle_handler& x) {
  f("exec", x.exec);
  f("httpGet", x.http_get);
  f("tcpSocket", x.tcp_socket);
  f("sleep", x.sleep);
}

struct container_lifecycle {
  std::optional<lifecycle_handler> post_start;
  std::optional<lifecycle_handler> pre_stop;
};
template <class F>
void fields(F& f, container_lifecycle& x) {
  f("postStart", x.post_start);
  f("preStop", x.pre_stop);
}

struct container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<container_port> ports;
  std::vector<env_from_source> env_from;
  std::vector<env_var> env;
  resource_requirements resources;
  std::vector<volume_mount> volume_mounts;
  boxed<probe> liveness_probe;
  boxed<probe> readiness_probe;
  boxed<probe> startup_probe;
  boxed<container_lifecycle> lifecycle;
  std::string termination_message_path;
  std::string image_pull_policy;  // Always | IfNotPresent | Never
  bool stdin = false;
  bool tty = false;
};
template <class F>
void fields(F& f, container& x) {
  f.always("name", x.name);
  f("image", x.image);
  f("command", x.command);
  f("args", x.args);
  f("workingDir", x.working_dir);
  f("ports", x.ports);
  f("envFrom", x.env_from);
  f("env", x.env);
  f("resources", x.resources);
  f("volumeMounts", x.volume_mounts);
  f("livenessProbe", x.liveness_probe);
  f("readinessProbe", x.readiness_probe);
  f("startupProbe", x.startup_probe);
  f("lifecycle", x.lifecycle);
  f("terminationMessagePath", x.termination_message_path);
  f("imagePullPolicy", x.image_pull_policy);
  f("stdin", x.stdin);
  f("tty", x.tty);
}

struct empty_dir_volume_source {
  std::string medium;  // "" (node disk) | Memory
  quantity size_limit;
};
template <class F>
void fields(F& f, empty_dir_volume_source& x) {
  f("medium", x.medium);
  f("sizeLimit", x.size_limit);
}

struct host_path_volume_source {
  std::string path;
  std::string type;
};
template <class F>
void fields(F& f, host_path_volume_source& x) {
  f.always("path", x.path);
  f("type", x.type);
}

struct nfs_volume_source {
  std::string server;
  std::string path;
  bool read_only = false;
};
template <class F>
void fields(F& f, nfs_volume_source& x) {
  f.always("server", x.server);
  f.always("path", x.path);
  f("readOnly", x.read_only);
}

// One key of a ConfigMap or Secret as a file at `path` (relative), with `mode` or the
// volume's defaultMode.
struct key_to_path {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
};
template <class F>
void fields(F& f, key_to_path& x) {
  f.always("key", x.key);
  f.always("path", x.path);
  f("mode", x.mode);
}

// A Secret's keys as files (every key, or only `items`); updated when the Secret changes.
struct secret_volume_source {
  std::string secret_name;
  std::vector<key_to_path> items;
  std::optional<int32_t> default_mode;  // defaulted to 0644
  std::optional<bool> optional_;
};
template <class F>
void fields(F& f, secret_volume_source& x) {
  f("secretName", x.secret_name);
  f("items", x.items);
  f("defaultMode", x.default_mode);
  f("optional", x.optional_);
}

// The same for a ConfigMap (named by `name`).
struct config_map_volume_source {
  std::string name;
  std::vector<key_to_path> items;
  std::optional<int32_t> default_mode;  // defaulted to 0644
  std::optional<bool> optional_;
};
template <class F>
void fields(F& f, config_map_volume_source& x) {
  f("name", x.name);
  f("items", x.items);
  f("defaultMode", x.default_mode);
  f("optional", x.optional_);
}

// Exactly one source is set (validation enforces it).
struct volume {
  std::string name;
  boxed<empty_dir_volume_source> empty_dir;
  boxed<host_path_volume_source> host_path;
  boxed<nfs_volume_source> nfs;
  boxed<secret_volume_source> secret;
  boxed<config_map_volume_source> config_map;
};
template <class F>
void fields(F& f, volume& x) {
  f.always("name", x.name);
  f("emptyDir", x.empty_dir);
  f("hostPath", x.host_path);
  f("nfs", x.nfs);
  f("secret", x.secret);
  f("configMap", x.config_map);
}

// Extra resolver settings (dnsPolicy None takes only these; the others add them to their own).
struct pod_dns_config_option {
  std::string name;   // ndots, timeout, attempts, edns0, ...
  std::string value;  // "" : none
};
template <class F>
void fields(F& f, pod_dns_config_option& x) {
  f("name", x.name);
  f("value", x.value);
}
struct pod_dns_config {
  std::vector<std::string> nameservers;
  std::vector<std::string> searches;
  std::vector<pod_dns_config_option> options;
};
template <class F>
void fields(F& f, pod_dns_config& x) {
  f("nameservers", x.nameservers);
  f("searches", x.searches);
  f("options", x.options);
}

// `volumes` and `containers` are shared_lists: a state keeps one copy of equal lists
// (store/object_sharing.hpp).
struct pod_spec {
  shared_list<volume> volumes;
  shared_list<container> containers;
  std::string restart_policy;  // Always | OnFailure | Never; defaulted to Always
  std::optional<int64_t> termination_grace_period_seconds;
  std::optional<int64_t> active_deadline_seconds;
  std::string dns_policy;  // ClusterFirst (default) | ClusterFirstWithHostNet | Default | None
  boxed<pod_dns_config> dns_config;
  string_map node_selector;
  std::string service_account_name;
  std::optional<bool> automount_service_account_token;
  bool host_network = false;  // here, beside the other small fields: no padding of its own
  std::vector<local_object_reference> image_pull_secrets;
  std::string node_name;
  rare_string hostname;
  rare_string subdomain;
};
template <class F>
void fields(F& f, pod_spec& x) {
  f("volumes", x.volumes);
  f.always("containers", x.containers);
  f("restartPolicy", x.restart_policy);
  f("terminationGracePeriodSeconds", x.termination_grace_period_seconds);
  f("activeDeadlineSeconds", x.active_deadline_seconds);
  f("dnsPolicy", x.dns_policy);
  f("dnsConfig", x.dns_config);
  f("nodeSelector", x.node_selector);
  f("serviceAccountName", x.service_account_name);
  f("automountServiceAccountToken", x.automount_service_account_token);
  f("imagePullSecrets", x.image_pull_secrets);
  f("nodeName", x.node_name);
  f("hostNetwork", x.host_network);
  f("hostname", x.hostname);
  f("subdomain", x.subdomain);
}

struct pod_condition {
  std::string type;    // PodScheduled | Ready | Initialized | ContainersReady
  std::string status;  // True | False | Unknown
  timestamp last_probe_time;
  timestamp last_transition_time;
  std::string reason;
  std::string message;
};
template <class F>
void fields(F& f, pod_condition& x) {
  f.always("type", x.type);
  f.always("status", x.status);
  f("lastProbeTime", x.last_probe_time);
  f("lastTransitionTime", x.last_transition_time);
  f("reason", x.reason);
  f("message", x.message);
}

struct container_state_waiting {
  std::string reason;
  std::string message;
};
template <class F>
void fields(F& f, container_state_waiting& x) {
  f("reason", x.reason);
  f("message", x.message);
}

struct container_state_running {
  timestamp started_at;
};
template <class F>
void fields(F& f, container_state_running& x) {
  f("startedAt", x.started_at);
}

struct container_state_terminated {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  std::string message;
  timestamp started_at;
  timestamp finished_at;
  std::string container_id;
};
template <class F>
void fields(F& f, container_state_terminated& x) {
  f.always("exitCode", x.exit_code);
  f("signal", x.signal);
  f("reason", x.reason);
  f("message", x.message);
  f("startedAt", x.started_at);
  f("finishedAt", x.finished_at);
  f("containerID", x.container_id);
}

// At most one of the three is set.
struct container_state {
  boxed<container_state_waiting> waiting;
  std::optional<container_state_running> running;
  boxed<container_state_terminated> terminated;
};
template <class F>
void fields(F& f, container_state& x) {
  f("waiting", x.waiting);
  f("running", x.running);
  f("terminated", x.terminated);
}

struct container_status {
  std::string name;
  container_state state;
  container_state last_state;
  bool ready = false;
  int32_t restart_count = 0;
  std::string image;
  std::string image_id;
  std::string container_id;
};
template <class F>
void fields(F& f, container_status& x) {
  f.always("name", x.name);
  f("state", x.state);
  f("lastState", x.last_state);
  f.always("ready", x.ready);
  f.always("restartCount", x.restart_count);
  f.always("image", x.image);
  f.always("imageID", x.image_id);
  f("containerID", x.container_id);
}

struct pod_status {
  std::string phase;  // Pending | Running | Succeeded | Failed | Unknown
  // Shared between equal lists (store/object_sharing.hpp): pods that started in the same
  // second have the same conditions.
  shared_list<pod_condition> conditions;
  rare_string message;
  rare_string reason;
  std::string host_ip;
  std::string pod_ip;
  timestamp start_time;
  std::vector<container_status> container_statuses;
};
template <class F>
void fields(F& f, pod_status& x) {
  f("phase", x.phase);
  f("conditions", x.conditions);
  f("message", x.message);
  f("reason", x.reason);
  f("hostIP", x.host_ip);
  f("podIP", x.pod_ip);
  f("startTime", x.start_time);
  f("containerStatuses", x.container_statuses);
}

struct pod {
  object_meta metadata;
  pod_spec spec;
  pod_status status;
};
template <class F>
void fields(F& f, pod& x) {
  f.always("metadata", x.metadata);
  f.always("spec", x.spec);
  f("status", x.status);
}

struct pod_template_spec {
  object_meta metadata;
  pod_spec spec;
};
template <class F>
void fields(F& f, pod_template_spec& x) {
  f("metadata", x.metadata);
  f.always("spec", x.spec);
}

}  // namespace capstan::messages
