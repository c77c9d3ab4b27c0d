#include "messages/field_selector.hpp"

#include "messages/field_error.hpp"

namespace capstan::messages {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::optional<std::string> kind_field(const pod& p, const std::string& f) {
  if (f == "spec.nodeName")
    return p.spec.node_name;
  if (f == "spec.restartPolicy")
    return p.spec.restart_policy;
  if (f == "spec.serviceAccountName")
    return p.spec.service_account_name;
  if (f == "status.phase")
    return p.status.phase;
  if (f == "status.podIP")
    return p.status.pod_ip;
  if (f == "status.hostIP")
    return p.status.host_ip;
  return std::nullopt;
}

std::optional<std::string> kind_field(const event& e, const std::string& f) {
  const auto& o = e.involved_object;
  if (f == "involvedObject.kind")
    return o.kind;
  if (f == "involvedObject.namespace")
    return o.namespace_;
  if (f == "involvedObject.name")
    return o.name;
  if (f == "involvedObject.uid")
    return o.uid;
  if (f == "involvedObject.apiVersion")
    return o.api_version;
  if (f == "involvedObject.resourceVersion")
    return o.resource_version;
  if (f == "involvedObject.fieldPath")
    return o.field_path;
  if (f == "reason")
    return e.reason;
  if (f == "type")
    return e.type;
  if (f == "source")
    return e.source.component;
  return std::nullopt;
}

std::optional<std::string> kind_field(const node& n, const std::string& f) {
  if (f == "spec.unschedulable")
    return std::string(n.spec.unschedulable ? "true" : "false");
  return std::nullopt;
}

std::optional<std::string> kind_field(const namespace_object& n, const std::string& f) {
  if (f == "status.phase")
    return n.status.phase;
  return std::nullopt;
}

std::optional<std::string> kind_field(const replication_controller& rc, const std::string& f) {
  if (f == "status.replicas")
    return std::to_string(rc.status.replicas);
  return std::nullopt;
}

template <class T>
std::optional<std::string> kind_field(const T&, const std::string&) {
  return std::nullopt;
}

}  // namespace

std::optional<std::string> field_value(const any_object& object, const std::string& field) {
  const auto& meta = meta_of(object);
  if (field == "metadata.name")
    return meta.name;
  if (field == "metadata.namespace")
    return meta.namespace_;
  return std::visit([&](const auto& o) { return kind_field(o, field); }, object);
}

std::vector<std::string> selectable_fields(object_kind kind) {
  std::vector<std::string> out = {"metadata.name", "metadata.namespace"};
  switch (kind) {
    case object_kind::pod:
      out.insert(out.end(), {"spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
                             "status.phase", "status.podIP", "status.hostIP"});
      break;
    case object_kind::event:
      out.insert(out.end(), {"involvedObject.kind", "involvedObject.namespace",
                             "involvedObject.name", "involvedObject.uid",
                             "involvedObject.apiVersion", "involvedObject.resourceVersion",
                             "involvedObject.fieldPath", "reason", "type", "source"});
      break;
    case object_kind::node:
      out.push_back("spec.unschedulable");
      break;
    case object_kind::namespace_:
      out.push_back("status.phase");
      break;
    case object_kind::replication_controller:
      out.push_back("status.replicas");
      break;
    default:
      break;
  }
  return out;
}

std::variant<field_selector, std::string> field_selector::parse(const std::string& text,
                                                                object_kind kind) {
  field_selector selector;
  const auto supported = selectable_fields(kind);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part = trim(text.substr(start, comma == std::string::npos ? std::string::npos
                                                                          : comma - start));
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (part.empty())
      continue;
    field_requirement r;
    std::size_t op;
    if ((op = part.find("!=")) != std::string::npos) {
      r.equals = false;
      r.field = trim(part.substr(0, op));
      r.value = trim(part.substr(op + 2));
    } else if ((op = part.find("==")) != std::string::npos) {
      r.field = trim(part.substr(0, op));
      r.value = trim(part.substr(op + 2));
    } else if ((op = part.find('=')) != std::string::npos) {
      r.field = trim(part.substr(0, op));
      r.value = trim(part.substr(op + 1));
    } else {
      return "invalid field selector: " + quote(part) + ": expected field=value or field!=value";
    }
    bool known = false;
    for (const auto& f : supported)
      known = known || f == r.field;
    if (!known) {
      std::string list;
      for (const auto& f : supported)
        list += (list.empty() ? "" : ", ") + f;
      return "field label not supported: " + r.field + " (" + std::string(info(kind).resource) +
             " support: " + list + ")";
    }
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool field_selector::matches(const any_object& object) const {
  for (const auto& r : requirements_) {
    auto v = field_value(object, r.field);
    if (!v || ((*v == r.value) != r.equals))
      return false;
  }
  return true;
}

std::optional<std::string> field_selector::required_value(const std::string& field) const {
  for (const auto& r : requirements_)
    if (r.equals && r.field == field)
      return r.value;
  return std::nullopt;
}

}  // namespace capstan::messages
