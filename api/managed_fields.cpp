// Server-side apply and Update bookkeeping of managedFields (api/managed_fields.hpp): the
// structured-merge-diff Updater's steps over the pieces in api/detail/ -- the schema
// (smd_schema), field sets (field_set, fields_v1), the typed walkers (smd_walkers), the fields
// nobody owns (unownable_fields) and the managers' entries (field_managers) -- plus kubectl's
// last-applied-configuration hand-over.
#include "api/managed_fields.hpp"

#include <algorithm>
#include <optional>

#include "api/detail/field_managers.hpp"
#include "api/detail/field_set.hpp"
#include "api/detail/fields_v1.hpp"
#include "api/detail/smd_schema.hpp"
#include "api/detail/smd_values.hpp"
#include "api/detail/smd_walkers.hpp"
#include "api/detail/unownable_fields.hpp"

namespace capstan::api {

namespace {

namespace m = messages;
using m::json;
using namespace detail;

// A copy of an object without metadata.managedFields.
json without_managed_fields(const json& object) {
  json copy = object;
  if (copy.is_object()) {
    auto meta = copy.find("metadata");
    if (meta != copy.end() && meta->is_object())
      meta->erase("managedFields");
  }
  return copy;
}

const std::string last_applied_annotation = "kubectl.kubernetes.io/last-applied-configuration";

json empty_object_of(m::object_kind kind) {
  return m::to_json(m::make_object(kind));
}

std::string group_version_kind(const json& config) {
  const json* v = member(config, "apiVersion");
  const json* k = member(config, "kind");
  std::string version = v && v->is_string() ? v->get<std::string>() : "";
  std::string kind = k && k->is_string() ? k->get<std::string>() : "";
  if (version.find('/') == std::string::npos)
    version = "/" + version;
  return version + ", Kind=" + kind;
}

std::string smd_errors_text(const std::vector<std::string>& errors) {
  if (errors.size() == 1)
    return errors[0];
  std::string out = "errors:";
  for (const auto& e : errors)
    out += "\n  " + e;
  return out;
}

std::optional<apply_error> config_problems(const schema_node& schema, const json& config) {
  std::vector<std::string> errors;
  path at;
  check_config(schema, config, at, errors);
  if (errors.empty())
    return std::nullopt;
  const json* meta = member(config, "metadata");
  auto text = [&](const char* name) {
    const json* v = meta ? member(*meta, name) : nullptr;
    return v && v->is_string() ? v->get<std::string>() : std::string();
  };
  return apply_error{"failed to create typed patch object (" + text("namespace") + "/" +
                     text("name") + "; " + group_version_kind(config) +
                     "): " + smd_errors_text(errors)};
}

const json* annotation(const json& object, const std::string& name) {
  const json* meta = member(object, "metadata");
  const json* annotations = meta ? member(*meta, "annotations") : nullptr;
  return annotations ? member(*annotations, name) : nullptr;
}

// Kubernetes' lastAppliedManager: the fields of the client-side last-applied-configuration
// whose values the live object still has; nullopt when there is no usable annotation.
std::optional<field_set> fields_still_last_applied(const schema_node& schema, const json& live) {
  const json* text = annotation(live, last_applied_annotation);
  if (!text || !text->is_string() || text->get_ref<const std::string&>().empty())
    return std::nullopt;
  json last = json::parse(text->get<std::string>(), nullptr, false);
  const json* version = member(last, "apiVersion");
  const json* live_version = member(live, "apiVersion");
  if (!last.is_object() || !version || !live_version || *version != *live_version ||
      config_problems(schema, last))
    return std::nullopt;
  comparison c = compare_objects(schema, last, live);
  return difference(difference(difference(fields_of(schema, last), c.modified), c.added),
                    c.removed);
}

// Kubernetes' lastAppliedUpdater: the annotation becomes the applied configuration (without
// the annotation itself), keys sorted, newline-terminated as Go's encoder writes it.
void rewrite_last_applied(json& object, const json& config) {
  json copy = config;
  if (auto meta = copy.find("metadata"); meta != copy.end() && meta->is_object())
    if (auto anns = meta->find("annotations"); anns != meta->end() && anns->is_object())
      anns->erase(last_applied_annotation);
  object["metadata"]["annotations"][last_applied_annotation] =
      nlohmann::json::parse(copy.dump()).dump() + "\n";
}
}  // namespace

std::string apply_conflicts::message() const {
  if (conflicts.size() == 1)
    return "Apply failed with 1 conflict: conflict with " + conflicts[0].manager + ": " +
           conflicts[0].field;
  std::string out = "Apply failed with " + std::to_string(conflicts.size()) + " conflicts: ";
  for (std::size_t i = 0; i < conflicts.size(); ++i) {
    if (i == 0 || conflicts[i].manager != conflicts[i - 1].manager)
      out += (i ? "\n" : "") + std::string("conflicts with ") + conflicts[i].manager + ":";
    out += "\n- " + conflicts[i].field;
  }
  return out;
}

apply_outcome apply(m::object_kind kind, const json* live, const managed_fields& managed,
                    const json& config, const std::string& manager, bool force, m::timestamp now) {
  const schema_node& schema = *kind_schema(kind);
  if (!config.is_object())
    return apply_error{"the applied configuration must be an object"};
  // Kubernetes' versionCheckManager: group, version and kind must be the resource's.
  const json* api_version = member(config, "apiVersion");
  const json* config_kind = member(config, "kind");
  if (!api_version || *api_version != m::api_version(kind) || !config_kind ||
      *config_kind != std::string(m::info(kind).name))
    return apply_error{"invalid object type: " + group_version_kind(config)};
  if (const json* meta = member(config, "metadata"))
    if (const json* mf = member(*meta, "managedFields"); mf && !mf->is_null())
      return apply_error{"metadata.managedFields must be nil"};
  if (auto problem = config_problems(schema, config))
    return *problem;

  json applied = config;
  applied.erase("status");  // the main resource ignores status (Kubernetes' reset fields)
  json base = live ? without_managed_fields(*live) : empty_object_of(kind);

  std::vector<manager_entry> entries = decode_managers(managed);
  if (live && entries.empty()) {
    // An object nobody has managed yet: its fields so far belong to "before-first-apply".
    comparison c = compare_objects(schema, empty_object_of(kind), base);
    drop_unownable(c, "");
    manager_entry before;
    before.manager = "before-first-apply";
    before.operation = "Update";
    before.api_version = m::api_version(kind);
    before.time = now;
    before.fields = united(c.modified, c.added);
    if (!empty(before.fields))
      entries.push_back(std::move(before));
  }

  manager_entry me;
  me.manager = manager;
  me.operation = "Apply";
  me.api_version = m::api_version(kind);
  field_set last = entry_for(entries, me).fields;
  field_set now_applied = fields_of(schema, applied);
  drop_unownable(now_applied, "");
  entry_for(entries, me).fields = now_applied;

  json merged = merge_at(&schema, &base, &applied).value_or(json::object());
  if (!empty(last)) {
    // Remove what this manager applied last time, applies no more, and nobody else owns.
    field_set owned;
    for (const auto& e : entries)
      unite(owned, e.fields);
    field_set gone = difference(intersection(with_named_fields(schema, fields_of(schema, merged)),
                                             with_named_fields(schema, last)),
                                with_named_fields(schema, owned));
    if (!empty(gone))
      merged = remove_at(&schema, merged, gone).value_or(json::object());
  }

  comparison c = compare_objects(schema, base, merged);
  drop_unownable(c, "");
  field_set changed = united(c.modified, c.added);
  struct taken {
    std::size_t entry;
    field_set fields;
  };
  std::vector<taken> conflicts;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].same_manager(me))
      continue;
    field_set clash = intersection(entries[i].fields, changed);
    if (!empty(clash))
      conflicts.push_back({i, std::move(clash)});
  }
  if (!conflicts.empty() && !force) {
    if (manager == "kubectl")
      if (auto allowed = fields_still_last_applied(schema, base)) {
        for (auto& t : conflicts)
          t.fields = difference(t.fields, *allowed);
        conflicts.erase(std::remove_if(conflicts.begin(), conflicts.end(),
                                       [](const taken& t) { return empty(t.fields); }),
                        conflicts.end());
      }
    if (!conflicts.empty()) {
      std::sort(conflicts.begin(), conflicts.end(), [&](const taken& a, const taken& b) {
        return entries[a.entry].identifier() < entries[b.entry].identifier();
      });
      apply_conflicts out;
      for (const auto& t : conflicts) {
        path at;
        for_each_path(t.fields, at, [&](const path& p) {
          out.conflicts.push_back({entries[t.entry].printed(), path_text(p)});
        });
      }
      return out;
    }
  }
  for (auto& e : entries)
    if (!e.same_manager(me))
      e.fields = difference(difference(e.fields, changed), c.removed);
  drop_empty(entries);

  // Kubernetes moves the applier's time only when the object changed.
  if (!same_value(base, merged, true))
    for (auto& e : entries)
      if (e.same_manager(me))
        e.time = now;
  if (manager == "kubectl" && annotation(merged, last_applied_annotation) &&
      annotation(merged, last_applied_annotation)->is_string() &&
      !annotation(merged, last_applied_annotation)->get_ref<const std::string&>().empty())
    rewrite_last_applied(merged, config);

  apply_result result;
  result.object_changed = !same_value(base, merged, true);
  result.object = std::move(merged);
  result.managed = encode_managers(entries);
  return result;
}

managed_fields record_update(m::object_kind kind, const json* before, const json& after,
                             const managed_fields& managed, const std::string& manager,
                             const std::string& subresource, m::timestamp now) {
  std::vector<manager_entry> entries = decode_managers(managed);
  // Kubernetes starts tracking an object at its creation or first apply, never on an update.
  if (before && entries.empty())
    return {};
  const schema_node& schema = *kind_schema(kind);
  comparison c =
      compare_objects(schema, before ? without_managed_fields(*before) : empty_object_of(kind),
                      without_managed_fields(after));
  drop_unownable(c, subresource);
  field_set gained = united(c.modified, c.added);
  for (auto& e : entries)
    e.fields = difference(difference(e.fields, gained), c.removed);
  drop_empty(entries);
  if (!empty(gained)) {
    manager_entry who;
    who.manager = manager.empty() ? "unknown" : manager;
    who.operation = "Update";
    who.api_version = m::api_version(kind);
    who.subresource = subresource;
    manager_entry& mine = entry_for(entries, who);
    unite(mine.fields, gained);
    mine.time = now;
  }
  cap_update_managers(entries);
  return encode_managers(entries);
}

std::variant<json, apply_error> fields_v1_of(m::object_kind kind, const json& object) {
  const schema_node& schema = *kind_schema(kind);
  json copy = without_managed_fields(object);
  if (auto problem = config_problems(schema, copy))
    return *problem;
  field_set s = fields_of(schema, copy);
  drop_unownable(s, "");
  return to_fields_v1(s);
}

bool resets_managed_fields(const json& body) {
  const json* meta = member(body, "metadata");
  const json* mf = meta ? member(*meta, "managedFields") : nullptr;
  if (!mf || !mf->is_array())
    return false;
  if (mf->empty())
    return true;
  if (mf->size() != 1 || !(*mf)[0].is_object())
    return false;
  for (const auto& v : (*mf)[0])
    if (!(v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
          (v.is_object() && v.empty())))
      return false;
  return true;
}
}  // namespace capstan::api
