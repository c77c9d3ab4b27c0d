#include "actors/objects/admission.hpp"

#include "actors/objects/service_account_admission.hpp"

#include "actors/controllers/namespace_controller.hpp"

#include "messages/defaults.hpp"
#include "messages/validation.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

command_reply invalid_object(const any_object& o, field_errors errors) {
  const auto& meta = meta_of(o);
  std::string name = meta.name.empty() ? meta.generate_name : meta.name;
  return command_reply::failure(error_code::invalid,
                                std::string(info(kind_of(o)).name) + " \"" + name + "\" is invalid",
                                std::move(errors));
}

command_reply forbidden_object(const any_object& o, const std::string& why) {
  const auto& meta = meta_of(o);
  return command_reply::failure(
      error_code::forbidden,
      group_resource(kind_of(o)) + " \"" + meta.name + "\" is forbidden: " + why);
}

std::string format_quantity(const std::string& resource, int64_t milli) {
  if (resource.find("memory") != std::string::npos)
    return quantity::from_bytes((milli + 999) / 1000).text();
  if (resource.find("cpu") != std::string::npos)
    return quantity::from_milli(milli).text();
  return std::to_string(milli / 1000);
}

// Applies LimitRange defaults to every container and checks min/max; returns the refusal.
std::optional<command_reply> apply_limit_ranges(pod& p, const any_object& original,
                                                const store::cluster_state& state) {
  const auto& table = state.of(object_kind::limit_range);
  for (auto it = table.lower_bound({p.metadata.namespace_, ""});
       it != table.end() && it->first.namespace_ == p.metadata.namespace_; ++it) {
    const auto& lr = std::get<limit_range>(it->second);
    for (const auto& item : lr.spec.limits) {
      if (item.type != "Container")
        continue;
      for (auto& c : p.spec.containers) {
        for (const auto& [r, q] : item.default_)
          c.resources.limits.emplace(r, q);
        for (const auto& [r, q] : item.default_request)
          c.resources.requests.emplace(r, q);
        for (const auto& [r, max] : item.max) {
          auto l = c.resources.limits.find(r);
          if (l != c.resources.limits.end() && l->second.milli() > max.milli())
            return forbidden_object(original, "maximum " + r + " usage per Container is " +
                                                  max.text() + ", but limit is " +
                                                  l->second.text());
        }
        for (const auto& [r, min] : item.min) {
          auto q = c.resources.requests.find(r);
          if (q != c.resources.requests.end() && q->second.milli() < min.milli())
            return forbidden_object(original, "minimum " + r + " usage per Container is " +
                                                  min.text() + ", but request is " +
                                                  q->second.text());
        }
      }
    }
  }
  return std::nullopt;
}

quota_usage namespace_usage(const store::cluster_state& state, const std::string& ns) {
  quota_usage used;
  for (std::size_t k = 0; k < messages::object_kind_count; ++k) {
    const auto& table = state.tables[k];
    for (auto it = table.lower_bound({ns, ""}); it != table.end() && it->first.namespace_ == ns;
         ++it)
      used.add(usage_of(it->second));
  }
  return used;
}

std::optional<command_reply> check_quotas(const any_object& object,
                                          const store::cluster_state& state,
                                          const quota_usage& pending) {
  const auto& ns = meta_of(object).namespace_;
  const auto& quotas = state.of(object_kind::resource_quota);
  auto first = quotas.lower_bound({ns, ""});
  if (first == quotas.end() || first->first.namespace_ != ns)
    return std::nullopt;  // no quota: nothing to count
  quota_usage requested = usage_of(object);
  quota_usage used = namespace_usage(state, ns);
  used.add(pending);
  for (auto it = first; it != quotas.end() && it->first.namespace_ == ns; ++it) {
    const auto& q = std::get<resource_quota>(it->second);
    std::string req, use, lim;
    bool exceeded = false;
    for (const auto& [resource, hard] : q.spec.hard) {
      auto r = requested.milli.find(resource);
      if (r == requested.milli.end() || r->second == 0)
        continue;
      int64_t u = used.milli.count(resource) ? used.milli.at(resource) : 0;
      if (u + r->second > hard.milli()) {
        exceeded = true;
        req += (req.empty() ? "" : ",") + resource + "=" + format_quantity(resource, r->second);
        use += (use.empty() ? "" : ",") + resource + "=" + format_quantity(resource, u);
        lim += (lim.empty() ? "" : ",") + resource + "=" + hard.text();
      }
    }
    if (exceeded)
      return forbidden_object(object, "exceeded quota: " + q.metadata.name + ", requested: " + req +
                                          ", used: " + use + ", limited: " + lim);
  }
  return std::nullopt;
}

}  // namespace

void quota_usage::add(const quota_usage& other, int sign) {
  for (const auto& [r, v] : other.milli)
    milli[r] += sign * v;
}

quota_usage usage_of(const any_object& object) {
  quota_usage u;
  if (auto* p = std::get_if<pod>(&object)) {
    if (p->status.phase == "Succeeded" || p->status.phase == "Failed")
      return u;  // terminal pods no longer count, as in Kubernetes
    u.milli["pods"] = 1000;
    for (const auto& c : p->spec.containers) {
      for (const auto& [r, q] : c.resources.requests) {
        u.milli["requests." + r] += q.milli();
        u.milli[r] += q.milli();  // "cpu" and "memory" mean requests
      }
      for (const auto& [r, q] : c.resources.limits)
        u.milli["limits." + r] += q.milli();
    }
  } else if (std::holds_alternative<service>(object)) {
    u.milli["services"] = 1000;
    const auto& s = std::get<service>(object);
    if (s.spec.type == "NodePort")
      u.milli["services.nodeports"] = 1000 * static_cast<int64_t>(s.spec.ports.size());
  } else if (std::holds_alternative<replication_controller>(object)) {
    u.milli["replicationcontrollers"] = 1000;
  } else if (std::holds_alternative<resource_quota>(object)) {
    u.milli["resourcequotas"] = 1000;
  }
  return u;
}

std::variant<any_object, command_reply> admit_create(any_object object,
                                                     const store::cluster_state& state,
                                                     const quota_usage& pending) {
  apply_defaults(object);
  auto errors = validate(object);
  if (!errors.empty())
    return invalid_object(object, std::move(errors));
  const auto& meta = meta_of(object);
  if (std::holds_alternative<namespace_object>(object))
    for (auto kind : namespace_content_kinds()) {
      const auto& table = state.of(kind);
      auto left = table.lower_bound({meta.name, ""});
      // What a deleted namespace held is still being deleted: a new namespace of that name must
      // not inherit it (its RoleBindings above all). Kubernetes' words for a terminating one.
      if (left != table.end() && left->first.namespace_ == meta.name)
        return command_reply::failure(error_code::already_exists,
                                      "object is being deleted: namespaces \"" + meta.name +
                                          "\" already exists");
    }
  if (info(kind_of(object)).namespaced) {
    const auto* ns = state.find<namespace_object>({"", meta.namespace_});
    if (!ns)
      return command_reply::failure(error_code::not_found,
                                    "namespaces \"" + meta.namespace_ + "\" not found");
    if (ns->status.phase == "Terminating")
      return forbidden_object(object, "unable to create new content in namespace " +
                                          meta.namespace_ + " because it is being terminated");
  }
  if (auto* p = std::get_if<pod>(&object)) {
    if (auto refused = admit_service_account(*p, state))
      return forbidden_object(object, *refused);
    if (auto refusal = apply_limit_ranges(*p, object, state))
      return *refusal;
    // LimitRange defaults may add limits; requests default from limits again.
    apply_defaults(object);
  }
  if (auto refusal = check_quotas(object, state, pending))
    return *refusal;
  return object;
}

}  // namespace capstan::actors
