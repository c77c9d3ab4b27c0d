#include "messages/domain_event.hpp"

namespace capstan::messages {

namespace {

std::string labels_text(const string_map& labels) {
  std::string out;
  for (const auto& [k, v] : labels)
    out += (out.empty() ? "" : ",") + k + "=" + v;
  return out.empty() ? "<none>" : out;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

// What an RBAC object grants, for the audit: a binding's role and subjects ("ClusterRole/view
// to User bob, Group devs"), a role's rules ("get,list pods; get /healthz"); "" for other kinds.
std::string grant_text(const any_object& object) {
  std::string out;
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_base_of_v<role_binding, T>) {
          std::vector<std::string> subjects;
          for (const auto& s : o.subjects)
            subjects.push_back(s.kind + " " +
                               (s.namespace_.empty() ? s.name : s.namespace_ + "/" + s.name));
          out = o.role_ref_.kind + "/" + o.role_ref_.name + " to " +
                (subjects.empty() ? "nobody" : joined(subjects, ", "));
        } else if constexpr (std::is_base_of_v<role, T>) {
          std::vector<std::string> rules;
          for (const auto& r : o.rules) {
            std::vector<std::string> what = r.non_resource_urls;
            for (const auto& resource : r.resources)
              for (const auto& group : r.api_groups)
                what.push_back(group.empty() ? resource : resource + "." + group);
            rules.push_back(joined(r.verbs, ",") + " " + joined(what, ",") +
                            (r.resource_names.empty() ? "" : " " + joined(r.resource_names, ",")));
          }
          out = rules.empty() ? "no rules" : joined(rules, "; ");
        }
      },
      object);
  constexpr std::size_t shown = 240;  // a table cell, not the whole policy
  if (out.size() > shown)
    out = out.substr(0, shown) + "...";
  return out;
}

// What a Secret or ConfigMap holds, for the audit: its keys, never a value ("" for other kinds).
std::string keys_text(const any_object& object) {
  std::vector<std::string> keys;
  std::string prefix;
  if (auto* s = std::get_if<secret>(&object)) {
    prefix = "type " + s->type + ", ";
    for (const auto& entry : s->data)
      keys.push_back(entry.first);
  } else if (auto* c = std::get_if<config_map>(&object)) {
    for (const auto& entry : c->data)
      keys.push_back(entry.first);
    for (const auto& entry : c->binary_data)
      keys.push_back(entry.first);
  } else {
    return "";
  }
  std::string out = prefix + "keys " + (keys.empty() ? "none" : joined(keys, ","));
  constexpr std::size_t shown = 240;
  if (out.size() > shown)
    out = out.substr(0, shown) + "...";
  return out;
}

}  // namespace

std::string change_summary(const journal_record& r) {
  struct summarize {
    std::string operator()(const object_created& e) const {
      const auto& meta = meta_of(e.object);
      if (auto grant = grant_text(e.object); !grant.empty())
        return grant;
      if (auto keys = keys_text(e.object); !keys.empty())
        return keys;
      std::string out = "labels " + labels_text(meta.labels);
      if (auto* rc = std::get_if<replication_controller>(&e.object))
        out = "replicas " + std::to_string(rc->spec.replicas.value_or(0)) + ", " + out;
      if (auto* s = std::get_if<service>(&e.object)) {
        out = s->spec.type + " " + s->spec.cluster_ip;
        for (const auto& p : s->spec.ports)
          if (p.node_port)
            out += " nodePort " + std::to_string(p.node_port);
      }
      if (auto* p = std::get_if<pod>(&e.object)) {
        std::string images;
        for (const auto& c : p->spec.containers)
          images += (images.empty() ? "" : ",") + c.image;
        out = "image " + images;
      }
      return out;
    }
    std::string operator()(const object_updated& e) const {
      if (auto grant = grant_text(e.object); !grant.empty())
        return "now " + grant;
      if (auto keys = keys_text(e.object); !keys.empty())
        return "now " + keys;
      return "generation " + std::to_string(meta_of(e.object).generation);
    }
    std::string operator()(const object_deleted& e) const { return e.reason; }
    std::string operator()(const pod_bound& e) const { return "to node " + e.node_name; }
    std::string operator()(const pod_status_changed& e) const {
      std::string out = "phase " + e.status.phase;
      if (!e.status.pod_ip.empty())
        out += ", IP " + e.status.pod_ip;
      for (const auto& c : e.status.conditions)
        if (c.type == "PodScheduled" && c.status == "False")
          out += ": " + c.message;
      return out;
    }
    std::string operator()(const rc_scaled& e) const {
      return "replicas " + std::to_string(e.from) + " -> " + std::to_string(e.to);
    }
    std::string operator()(const rc_status_changed& e) const {
      return std::to_string(e.status.ready_replicas) + "/" + std::to_string(e.status.replicas) +
             " ready";
    }
    std::string operator()(const labels_changed& e) const {
      return "labels " + labels_text(e.labels);
    }
    std::string operator()(const node_ready_changed& e) const {
      return std::string(e.ready ? "Ready" : "NotReady") +
             (e.reason.empty() ? "" : " (" + e.reason + ")");
    }
    std::string operator()(const node_status_changed& e) const {
      return std::to_string(e.status.conditions.size()) + " conditions";
    }
    std::string operator()(const endpoints_changed& e) const {
      std::size_t n = 0;
      for (const auto& s : e.subsets)
        n += s.addresses.size();
      return std::to_string(n) + " ready addresses";
    }
    std::string operator()(const deletion_requested& e) const {
      return "grace " + std::to_string(e.grace_period_seconds) + "s";
    }
  };
  return std::visit(summarize{}, r.event);
}

}  // namespace capstan::messages
