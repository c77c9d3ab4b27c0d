#include "messages/defaults.hpp"

namespace capstan::messages {

namespace {

// Kubernetes pulls images tagged :latest (or untagged) every time, others only when missing.
std::string default_pull_policy(const std::string& image) {
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  bool digest = image.find('@') != std::string::npos;
  if (digest)
    return "IfNotPresent";
  if (!tagged || image.substr(colon + 1) == "latest")
    return "Always";
  return "IfNotPresent";
}

void default_probe(boxed<probe>& p) {
  if (!p)
    return;
  if (p->timeout_seconds == 0)
    p->timeout_seconds = 1;
  if (p->period_seconds == 0)
    p->period_seconds = 10;
  if (p->success_threshold == 0)
    p->success_threshold = 1;
  if (p->failure_threshold == 0)
    p->failure_threshold = 3;
  if (p->http_get) {
    if (p->http_get->path.empty())
      p->http_get->path = "/";
    if (p->http_get->scheme.empty())
      p->http_get->scheme = "HTTP";
  }
}

void default_handler(std::optional<lifecycle_handler>& h) {
  if (h && h->http_get) {
    if (h->http_get->path.empty())
      h->http_get->path = "/";
    if (h->http_get->scheme.empty())
      h->http_get->scheme = "HTTP";
  }
}

void default_container(container& c) {
  if (c.image_pull_policy.empty() && !c.image.empty())
    c.image_pull_policy = default_pull_policy(c.image);
  if (c.termination_message_path.empty())
    c.termination_message_path = "/dev/termination-log";
  for (auto& port : c.ports)
    if (port.protocol.empty())
      port.protocol = "TCP";
  // A limit without a request requests the limit (Kubernetes' defaulting since 1.0).
  for (const auto& [resource, limit] : c.resources.limits)
    c.resources.requests.emplace(resource, limit);
  default_probe(c.liveness_probe);
  default_probe(c.readiness_probe);
  default_probe(c.startup_probe);
  if (c.lifecycle) {
    default_handler(c.lifecycle->post_start);
    default_handler(c.lifecycle->pre_stop);
  }
}

void default_object(namespace_object& ns) {
  if (ns.status.phase.empty())
    ns.status.phase = "Active";
}

void default_object(pod& p) {
  apply_defaults(p.spec);
}

void default_object(replication_controller& rc) {
  if (!rc.spec.replicas)
    rc.spec.replicas = 1;
  if (rc.spec.template_) {
    const auto& template_labels = rc.spec.template_->metadata.labels;
    if (rc.spec.selector.empty())
      rc.spec.selector = template_labels;
    if (rc.metadata.labels.empty())
      rc.metadata.labels = template_labels;
    apply_defaults(rc.spec.template_->spec);
  }
}

void default_object(service& s) {
  if (s.spec.type.empty())
    s.spec.type = "ClusterIP";
  if (s.spec.session_affinity.empty())
    s.spec.session_affinity = "None";
  for (auto& port : s.spec.ports) {
    if (port.protocol.empty())
      port.protocol = "TCP";
    if (port.target_port.empty())
      port.target_port = int_or_string::of(port.port);
  }
}

void default_object(endpoints& e) {
  for (auto& subset : e.subsets)
    for (auto& port : subset.ports)
      if (port.protocol.empty())
        port.protocol = "TCP";
}

void default_object(node& n) {
  if (n.status.allocatable.empty())
    n.status.allocatable = n.status.capacity;
}

void default_object(event& e) {
  if (e.type.empty())
    e.type = "Normal";
  if (e.count == 0)
    e.count = 1;
}

void default_object(resource_quota&) {}

void default_object(limit_range& lr) {
  for (auto& item : lr.spec.limits) {
    if (item.type != "Container")
      continue;
    // default <- max, defaultRequest <- default (then min), as Kubernetes does.
    for (const auto& [resource, max] : item.max)
      item.default_.emplace(resource, max);
    for (const auto& [resource, def] : item.default_)
      item.default_request.emplace(resource, def);
    for (const auto& [resource, min] : item.min)
      item.default_request.emplace(resource, min);
  }
}

void default_object(role&) {}

// Kubernetes' SetDefaults_Subject and the bindings' roleRef.apiGroup.
void default_object(role_binding& b) {
  if (b.role_ref_.api_group.empty())
    b.role_ref_.api_group = "rbac.authorization.k8s.io";
  for (auto& s : b.subjects)
    if (s.api_group.empty() && (s.kind == "User" || s.kind == "Group"))
      s.api_group = "rbac.authorization.k8s.io";
}

// stringData is write-only: merged into data (its keys win, as in Kubernetes' registry) and
// never stored.
void default_object(secret& s) {
  if (s.type.empty())
    s.type = "Opaque";
  for (auto& [key, value] : s.string_data)
    s.data[key] = std::move(value);
  s.string_data.clear();
}

void default_object(config_map&) {}
void default_object(service_account&) {}

constexpr int32_t default_file_mode = 0644;

}  // namespace

void apply_defaults(pod_spec& spec) {
  if (spec.restart_policy.empty())
    spec.restart_policy = "Always";
  if (spec.dns_policy.empty())
    spec.dns_policy = "ClusterFirst";
  if (!spec.termination_grace_period_seconds)
    spec.termination_grace_period_seconds = 30;
  for (auto& c : spec.containers)
    default_container(c);
  for (auto& v : spec.volumes) {
    if (!v.empty_dir && !v.host_path && !v.nfs && !v.secret && !v.config_map)
      v.empty_dir = empty_dir_volume_source{};
    if (v.secret && !v.secret->default_mode)
      v.secret->default_mode = default_file_mode;
    if (v.config_map && !v.config_map->default_mode)
      v.config_map->default_mode = default_file_mode;
  }
}

void apply_defaults(any_object& object) {
  auto& meta = meta_of(object);
  if (info(kind_of(object)).namespaced && meta.namespace_.empty())
    meta.namespace_ = "default";
  std::visit([](auto& o) { default_object(o); }, object);
}

}  // namespace capstan::messages
