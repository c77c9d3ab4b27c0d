#include "api/tables.hpp"

#include "messages/text.hpp"

namespace capstan::api {

namespace {

using namespace messages;

struct column {
  const char* name;
  const char* type;
  int priority;  // 1: only with -o wide
};

std::vector<column> columns_of(object_kind kind) {
  switch (kind) {
    case object_kind::pod:
      return {{"Name", "string", 0},      {"Ready", "string", 0}, {"Status", "string", 0},
              {"Restarts", "integer", 0}, {"Age", "string", 0},   {"IP", "string", 1},
              {"Node", "string", 1}};
    case object_kind::replication_controller:
      return {{"Name", "string", 0},   {"Desired", "integer", 0}, {"Current", "integer", 0},
              {"Ready", "integer", 0}, {"Age", "string", 0},      {"Containers", "string", 1},
              {"Images", "string", 1}, {"Selector", "string", 1}};
    case object_kind::service:
      return {{"Name", "string", 0},        {"Type", "string", 0},    {"Cluster-IP", "string", 0},
              {"External-IP", "string", 0}, {"Port(s)", "string", 0}, {"Age", "string", 0},
              {"Selector", "string", 1}};
    case object_kind::endpoints:
      return {{"Name", "string", 0}, {"Endpoints", "string", 0}, {"Age", "string", 0}};
    case object_kind::node:
      return {{"Name", "string", 0},
              {"Status", "string", 0},
              {"Roles", "string", 0},
              {"Age", "string", 0},
              {"Version", "string", 0},
              {"Internal-IP", "string", 1},
              {"OS-Image", "string", 1},
              {"Kernel-Version", "string", 1},
              {"Container-Runtime", "string", 1}};
    case object_kind::namespace_:
      return {{"Name", "string", 0}, {"Status", "string", 0}, {"Age", "string", 0}};
    case object_kind::event:
      return {{"Last Seen", "string", 0},
              {"Type", "string", 0},
              {"Reason", "string", 0},
              {"Object", "string", 0},
              {"Message", "string", 0}};
    case object_kind::role:
    case object_kind::cluster_role:
      return {{"Name", "string", 0}, {"Created At", "date", 0}};
    case object_kind::role_binding:
    case object_kind::cluster_role_binding:
      return {{"Name", "string", 0},   {"Role", "string", 0},   {"Age", "string", 0},
              {"Users", "string", 1},  {"Groups", "string", 1}, {"ServiceAccounts", "string", 1}};
    case object_kind::secret:
      return {{"Name", "string", 0}, {"Type", "string", 0}, {"Data", "string", 0},
              {"Age", "string", 0}};
    case object_kind::config_map:
      return {{"Name", "string", 0}, {"Data", "string", 0}, {"Age", "string", 0}};
    case object_kind::service_account:
      return {{"Name", "string", 0}, {"Secrets", "string", 0}, {"Age", "string", 0}};
    default:
      return {{"Name", "string", 0}, {"Age", "string", 0}};
  }
}

std::string selector_text(const string_map& m) {
  std::string s;
  for (const auto& [k, v] : m)
    s += (s.empty() ? "" : ",") + k + "=" + v;
  return s.empty() ? "<none>" : s;
}

json cells_of(const any_object& o, int64_t now) {
  const auto& meta = meta_of(o);
  std::string age = meta.creation_timestamp.empty()
                        ? "<unknown>"
                        : human_age(now - meta.creation_timestamp.seconds);
  if (auto* p = std::get_if<pod>(&o)) {
    int ready = 0, restarts = 0;
    for (const auto& cs : p->status.container_statuses) {
      ready += cs.ready;
      restarts += cs.restart_count;
    }
    std::string status = p->status.phase.empty() ? "Pending" : p->status.phase;
    for (const auto& cs : p->status.container_statuses)
      if (cs.state.waiting && !cs.state.waiting->reason.empty())
        status = cs.state.waiting->reason;
    if (!p->metadata.deletion_timestamp.empty())
      status = "Terminating";
    return json::array(
        {meta.name, std::to_string(ready) + "/" + std::to_string(p->spec.containers.size()), status,
         restarts, age, p->status.pod_ip.empty() ? "<none>" : p->status.pod_ip,
         p->spec.node_name.empty() ? "<none>" : p->spec.node_name});
  }
  if (auto* rc = std::get_if<replication_controller>(&o)) {
    std::string containers, images;
    if (rc->spec.template_)
      for (const auto& c : rc->spec.template_->spec.containers) {
        containers += (containers.empty() ? "" : ",") + c.name;
        images += (images.empty() ? "" : ",") + c.image;
      }
    return json::array({meta.name, rc->spec.replicas.value_or(0), rc->status.replicas,
                        rc->status.ready_replicas, age, containers, images,
                        selector_text(rc->spec.selector)});
  }
  if (auto* s = std::get_if<service>(&o)) {
    std::string ports;
    for (const auto& p : s->spec.ports)
      ports += (ports.empty() ? "" : ",") + std::to_string(p.port) +
               (p.node_port ? ":" + std::to_string(p.node_port) : "") + "/" + p.protocol;
    std::string external;
    for (const auto& ip : s->spec.external_ips)
      external += (external.empty() ? "" : ",") + ip;
    return json::array({meta.name, s->spec.type,
                        s->spec.cluster_ip.empty() ? "<none>" : s->spec.cluster_ip,
                        external.empty() ? "<none>" : external, ports.empty() ? "<none>" : ports,
                        age, selector_text(s->spec.selector)});
  }
  if (auto* e = std::get_if<endpoints>(&o)) {
    std::string list;
    int shown = 0, total = 0;
    for (const auto& subset : e->subsets)
      for (const auto& a : subset.addresses)
        for (const auto& p : subset.ports) {
          ++total;
          if (shown < 3) {
            list += (list.empty() ? "" : ",") + a.ip + ":" + std::to_string(p.port);
            ++shown;
          }
        }
    if (total > 3)
      list += " + " + std::to_string(total - 3) + " more...";
    return json::array({meta.name, list.empty() ? "<none>" : list, age});
  }
  if (auto* n = std::get_if<node>(&o)) {
    std::string status = "Unknown";
    for (const auto& c : n->status.conditions)
      if (c.type == "Ready")
        status = c.status == "True" ? "Ready" : "NotReady";
    if (n->spec.unschedulable)
      status += ",SchedulingDisabled";
    std::string ip;
    for (const auto& a : n->status.addresses)
      if (a.type == "InternalIP")
        ip = a.address;
    return json::array({meta.name, status, "<none>", age, n->status.node_info.kubelet_version.str(),
                        ip.empty() ? "<none>" : ip, n->status.node_info.os_image.str(),
                        n->status.node_info.kernel_version.str(),
                        n->status.node_info.container_runtime_version.str()});
  }
  if (auto* ns = std::get_if<namespace_object>(&o))
    return json::array({meta.name, ns->status.phase, age});
  if (auto* ev = std::get_if<event>(&o)) {
    std::string object = ascii_lower(ev->involved_object.kind);
    return json::array({human_age(now - ev->last_timestamp.seconds), ev->type, ev->reason,
                        object + "/" + ev->involved_object.name, ev->message});
  }
  // Kubernetes prints the number of keys, never the values.
  if (auto* sec = std::get_if<secret>(&o))
    return json::array({meta.name, sec->type, std::to_string(sec->data.size()), age});
  if (auto* cm = std::get_if<config_map>(&o))
    return json::array(
        {meta.name, std::to_string(cm->data.size() + cm->binary_data.size()), age});
  if (auto* sa = std::get_if<service_account>(&o))
    return json::array({meta.name, std::to_string(sa->secrets.size()), age});
  if (std::holds_alternative<role>(o) || std::holds_alternative<cluster_role>(o))
    return json::array({meta.name, meta.creation_timestamp.to_rfc3339()});
  const role_binding* b = std::get_if<role_binding>(&o);
  if (!b)
    b = std::get_if<cluster_role_binding>(&o);
  if (b) {
    std::string users, groups, accounts;
    auto add = [](std::string& list, const std::string& item) {
      list += (list.empty() ? "" : ", ") + item;
    };
    for (const auto& s : b->subjects) {
      if (s.kind == "User")
        add(users, s.name);
      else if (s.kind == "Group")
        add(groups, s.name);
      else if (s.kind == "ServiceAccount")
        add(accounts, s.namespace_ + "/" + s.name);
    }
    return json::array({meta.name, b->role_ref_.kind + "/" + b->role_ref_.name, age, users,
                        groups, accounts});
  }
  return json::array({meta.name, age});
}

}  // namespace

std::string human_age(int64_t seconds) {
  if (seconds < 0)
    seconds = 0;
  if (seconds < 120)
    return std::to_string(seconds) + "s";
  if (seconds < 120 * 60)
    return std::to_string(seconds / 60) + "m";
  if (seconds < 48 * 3600)
    return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

json table_of(object_kind kind, const std::vector<any_object>& objects, uint64_t resource_version,
              int64_t now) {
  json table = {{"kind", "Table"},
                {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", {{"resourceVersion", std::to_string(resource_version)}}}};
  json defs = json::array();
  for (const auto& c : columns_of(kind))
    defs.push_back({{"name", c.name},
                    {"type", c.type},
                    {"format", c.name == std::string("Name") ? "name" : ""},
                    {"description", ""},
                    {"priority", c.priority}});
  table["columnDefinitions"] = defs;
  json rows = json::array();
  for (const auto& o : objects) {
    const auto& meta = meta_of(o);
    json partial = {{"kind", "PartialObjectMetadata"},
                    {"apiVersion", "meta.k8s.io/v1"},
                    {"metadata", to_json_part(meta)}};
    rows.push_back({{"cells", cells_of(o, now)}, {"object", partial}});
  }
  table["rows"] = rows;
  return table;
}

}  // namespace capstan::api
