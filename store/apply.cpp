#include "store/apply.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <utility>

namespace capstan::store {

namespace {

using namespace messages;

timestamp record_time(const journal_record& r) {
  return {r.time_nanos / 1000000000};
}

[[noreturn]] void cannot_apply(const journal_record& r, const std::string& why) {
  std::string where = r.namespace_.empty() ? r.name : r.namespace_ + "/" + r.name;
  throw store_error("journal record " + std::to_string(r.seq) + " (" + event_name(r) + " " + where +
                    ") cannot apply: " + why);
}

// The object the record concerns, which must exist.
any_object& any_target(cluster_state& state, const journal_record& r) {
  auto& table = state.of(r.kind);
  auto it = table.find({r.namespace_, r.name});
  if (it == table.end())
    cannot_apply(r, "no such " + std::string(info(r.kind).name));
  return it->second;
}

// The record's object `o` as a T, which it must be.
template <class T>
T& as(any_object& o, const journal_record& r) {
  T* object = std::get_if<T>(&o);
  if (!object)
    cannot_apply(r, "the event does not fit a " + std::string(info(r.kind).name));
  return *object;
}

void set_condition(std::vector<node_condition>& conditions, const std::string& type,
                   const std::string& status, const std::string& reason, const std::string& message,
                   timestamp when) {
  for (auto& c : conditions)
    if (c.type == type) {
      if (c.status != status)
        c.last_transition_time = when;
      c.status = status;
      c.reason = reason;
      c.message = message;
      c.last_heartbeat_time = when;
      return;
    }
  conditions.push_back({type, status, when, when, reason, message});
}

// Visits the record's event. `Object` is `const any_object&` (copy out of the record) or
// `any_object&&` (move out of a record that is about to be dropped).
template <bool Move>
struct applier {
  cluster_state& state;
  const journal_record& r;

  template <class E>
  static auto take(E& e) -> std::conditional_t<Move, any_object&&, const any_object&> {
    return take_part(e.object);
  }
  // A part of the event: moved out of a record about to be dropped, copied otherwise.
  template <class V>
  static auto take_part(const V& part) -> std::conditional_t<Move, V&&, const V&> {
    if constexpr (Move)
      return std::move(const_cast<V&>(part));
    else
      return part;
  }

  // A record that carries a whole object names it twice: in its header and in the object's
  // metadata. Both must agree, or the state would hold the object under another name than its
  // own (and a snapshot of that state would load differently from the replay).
  static void check_names(const journal_record& r, const any_object& object) {
    if (kind_of(object) != r.kind)
      cannot_apply(r, "the record's kind and its object's kind differ");
    const auto& meta = meta_of(object);
    if (meta.namespace_ != r.namespace_ || meta.name != r.name)
      cannot_apply(r, "its object is named " +
                          (meta.namespace_.empty() ? meta.name
                                                   : meta.namespace_ + "/" + meta.name));
  }

  // Returns the object whose resourceVersion must become r.seq (null when it was removed).
  any_object* operator()(const object_created& e) {
    check_names(r, e.object);
    auto [it, inserted] = state.of(r.kind).insert_or_assign({r.namespace_, r.name}, take(e));
    (void)inserted;
    return &it->second;
  }
  any_object* operator()(const object_updated& e) {
    check_names(r, e.object);
    any_object& current = any_target(state, r);
    current = take(e);
    return &current;
  }
  any_object* operator()(const object_deleted&) {
    if (state.of(r.kind).erase({r.namespace_, r.name}) == 0)
      cannot_apply(r, "no such " + std::string(info(r.kind).name));
    return nullptr;
  }
  any_object* operator()(const pod_bound& e) {
    any_object& o = any_target(state, r);
    auto& p = as<pod>(o, r);
    p.spec.node_name = take_part(e.node_name);
    pod_condition scheduled{"PodScheduled", "True", {}, record_time(r), "", ""};
    // Read through a const reference: the conditions' block (often shared) is copied only to
    // be changed.
    const auto& conditions = std::as_const(p.status.conditions);
    bool found = false;
    for (std::size_t i = 0; i < conditions.size(); ++i)
      if (conditions[i].type == "PodScheduled") {
        p.status.conditions[i] = scheduled;
        found = true;
      }
    if (!found)
      p.status.conditions.push_back(std::move(scheduled));
    return &o;
  }
  any_object* operator()(const pod_status_changed& e) {
    any_object& o = any_target(state, r);
    as<pod>(o, r).status = take_part(e.status);
    return &o;
  }
  any_object* operator()(const rc_scaled& e) {
    any_object& o = any_target(state, r);
    auto& rc = as<replication_controller>(o, r);
    if (rc.metadata.generation == INT64_MAX)
      cannot_apply(r, "metadata.generation would overflow");
    rc.spec.replicas = e.to;
    rc.metadata.generation += 1;
    return &o;
  }
  any_object* operator()(const rc_status_changed& e) {
    any_object& o = any_target(state, r);
    as<replication_controller>(o, r).status = take_part(e.status);
    return &o;
  }
  any_object* operator()(const labels_changed& e) {
    any_object& o = any_target(state, r);
    meta_of(o).labels = take_part(e.labels);
    return &o;
  }
  any_object* operator()(const node_ready_changed& e) {
    any_object& o = any_target(state, r);
    auto& n = as<node>(o, r);
    std::string status = e.ready ? "True" : (e.reason == "NodeStatusUnknown" ? "Unknown" : "False");
    set_condition(n.status.conditions, "Ready", status, e.reason, e.message, record_time(r));
    return &o;
  }
  any_object* operator()(const node_status_changed& e) {
    any_object& o = any_target(state, r);
    as<node>(o, r).status = take_part(e.status);
    return &o;
  }
  any_object* operator()(const endpoints_changed& e) {
    if (r.kind != object_kind::endpoints)
      cannot_apply(r, "the event does not fit a " + std::string(info(r.kind).name));
    auto& table = state.of(object_kind::endpoints);
    auto it = table.find({r.namespace_, r.name});
    if (it == table.end()) {
      // The endpoints controller's first change creates the object.
      endpoints created;
      created.metadata.name = r.name;
      created.metadata.namespace_ = r.namespace_;
      created.metadata.uid = r.uid;
      created.metadata.creation_timestamp = record_time(r);
      it = table.emplace(object_key{r.namespace_, r.name}, any_object(std::move(created))).first;
    }
    auto* ep = std::get_if<endpoints>(&it->second);
    if (!ep)
      cannot_apply(r, "the event does not fit an Endpoints");
    ep->subsets = take_part(e.subsets);
    return &it->second;
  }
  any_object* operator()(const deletion_requested& e) {
    any_object& o = any_target(state, r);
    int64_t deadline;
    if (__builtin_add_overflow(record_time(r).seconds, e.grace_period_seconds, &deadline))
      cannot_apply(r, "a grace period of " + std::to_string(e.grace_period_seconds) +
                          " seconds ends beyond the representable time");
    meta_of(o).deletion_timestamp = {deadline};
    meta_of(o).deletion_grace_period_seconds = e.grace_period_seconds;
    return &o;
  }
};

template <bool Move>
void apply_record(cluster_state& state, const journal_record& record) {
  if (record.seq != state.seq + 1)
    throw store_error("journal record " + std::to_string(record.seq) +
                      " cannot apply to state at " + std::to_string(state.seq) +
                      ": records must apply in order without gaps");
  any_object* changed = std::visit(applier<Move>{state, record}, record.event);
  if (changed) {
    meta_of(*changed).resource_version = std::to_string(record.seq);
    state.sharing.share(*changed);
  }
  state.seq = record.seq;
}

}  // namespace

void apply(cluster_state& state, const journal_record& record) {
  apply_record<false>(state, record);
}

void apply(cluster_state& state, journal_record&& record) {
  apply_record<true>(state, record);
}

std::vector<std::string> check_appends(
    const cluster_state& state, const std::vector<const std::vector<journal_record>*>& appends) {
  // Existence as changed by the appends accepted so far; absent keys read through to `state`.
  std::map<std::pair<object_kind, object_key>, bool> exists;
  auto existing = [&](object_kind kind, const object_key& key) {
    auto it = exists.find({kind, key});
    return it != exists.end() ? it->second : state.of(kind).count(key) > 0;
  };
  std::set<object_key> bound;     // pods bound by the appends accepted so far
  std::vector<object_key> binds;  // pods bound by the append being checked
  std::vector<std::string> out;
  out.reserve(appends.size());
  for (const auto* records : appends) {
    std::map<std::pair<object_kind, object_key>, bool> changes;
    std::string refusal;
    for (const auto& r : *records) {
      std::pair<object_kind, object_key> id{r.kind, {r.namespace_, r.name}};
      auto changed = changes.find(id);
      bool there = changed != changes.end() ? changed->second : existing(r.kind, id.second);
      if (std::holds_alternative<object_created>(r.event) ||
          std::holds_alternative<endpoints_changed>(r.event)) {
        changes[id] = true;
      } else if (!there) {
        std::string where = r.namespace_.empty() ? r.name : r.namespace_ + "/" + r.name;
        refusal = event_name(r) + " " + where + " cannot apply: no such " +
                  std::string(info(r.kind).name);
        break;
      } else if (std::holds_alternative<object_deleted>(r.event)) {
        changes[id] = false;
      } else if (std::holds_alternative<pod_bound>(r.event)) {
        // A pod is bound once: a bind that lost a race to another bind, or to a delete
        // request, cannot apply (an object actor's own check only sees its own commands).
        // Created within this batch: the state's pod of that name (if any) is an older one.
        bool created_here = changed != changes.end() || exists.count(id);
        const pod* p = created_here ? nullptr : state.find<pod>(id.second);
        bool taken = bound.count(id.second) ||
                     (p && (!p->spec.node_name.empty() || !p->metadata.deletion_timestamp.empty()));
        if (taken) {
          refusal = "PodBound " + r.namespace_ + "/" + r.name +
                    " cannot apply: the pod is already assigned to a node or being deleted";
          break;
        }
        binds.push_back(id.second);
      }
    }
    if (refusal.empty()) {
      for (auto& [id, there] : changes)
        exists[id] = there;
      bound.insert(binds.begin(), binds.end());
    }
    binds.clear();
    out.push_back(std::move(refusal));
  }
  return out;
}

void load_object(cluster_state& state, any_object&& object) {
  state.sharing.share(object);
  insert_shared_object(state, std::move(object));
}

void insert_shared_object(cluster_state& state, any_object&& object) {
  const auto& meta = meta_of(object);
  object_key key{meta.namespace_, meta.name};
  auto& table = state.of(kind_of(object));
  table.insert_or_assign(table.end(), std::move(key), std::move(object));
}

void load_objects(cluster_state& state, uint64_t seq, std::vector<any_object>&& objects) {
  for (auto& o : objects)
    load_object(state, std::move(o));
  state.seq = seq;
}

}  // namespace capstan::store
