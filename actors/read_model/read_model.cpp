#include "actors/read_model/read_model.hpp"

#include <mutex>

#include "store/apply.hpp"

namespace capstan::actors {

namespace {

using messages::label_requirement;
using messages::pod;

std::string label_key(const std::string& ns, const std::string& k, const std::string& v) {
  return ns + "\n" + k + "=" + v;
}

}  // namespace

read_model::read_model(store::cluster_state initial) : state_(std::move(initial)) {
  for (const auto& entry : state_.of(object_kind::pod))
    index_pod(entry);
  rebuild_policy();
}

void read_model::rebuild_policy() {
  auto next = std::make_shared<auth::rbac_policy>();
  // The policy resolves a binding's role when asked: the order of the puts does not matter.
  for (auto kind : {object_kind::role, object_kind::cluster_role, object_kind::role_binding,
                    object_kind::cluster_role_binding})
    for (const auto& [key, object] : state_.of(kind))
      std::visit(
          [&](const auto& o) {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_base_of_v<messages::role, T>)
              next->put_role(o);
            else if constexpr (std::is_base_of_v<messages::role_binding, T>)
              next->put_binding(o);
          },
          object);
  std::lock_guard<std::mutex> lock(policy_mutex_);
  policy_ = std::move(next);
}

std::shared_ptr<const auth::rbac_policy> read_model::policy() const {
  std::lock_guard<std::mutex> lock(policy_mutex_);
  return policy_;
}

const read_model::pod_entry* read_model::find_pod_entry(const object_key& key) const {
  const auto& pods = state_.of(object_kind::pod);
  auto it = pods.find(key);
  return it == pods.end() ? nullptr : &*it;
}

void read_model::index_pod(const pod_entry& entry) {
  const auto& p = std::get<pod>(entry.second);
  if (!p.spec.node_name.empty())
    pods_by_node_[p.spec.node_name].insert(&entry);
  for (const auto& [k, v] : p.metadata.labels)
    pods_by_label_[label_key(entry.first.namespace_, k, v)].insert(&entry);
}

void read_model::unindex_pod(const pod_entry& entry) {
  const auto& p = std::get<pod>(entry.second);
  auto forget = [&](auto& index, const std::string& value) {
    auto it = index.find(value);
    if (it != index.end() && it->second.erase(&entry) && it->second.empty())
      index.erase(it);
  };
  if (!p.spec.node_name.empty())
    forget(pods_by_node_, p.spec.node_name);
  for (const auto& [k, v] : p.metadata.labels)
    forget(pods_by_label_, label_key(entry.first.namespace_, k, v));
}

void read_model::apply(const std::vector<messages::journal_record>& records) {
  {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    bool rbac_changed = false;
    for (const auto& r : records) {
      object_key key{r.namespace_, r.name};
      // The indexes hold a pod by its node and labels, which a status change (most pod
      // records) leaves alone; any other pod record may change them or delete the pod, whose
      // entry the indexes must let go of first. The pod goes back in as it is after the record,
      // whether the record applied or not.
      bool reindex = r.kind == object_kind::pod &&
                     !std::holds_alternative<messages::pod_status_changed>(r.event);
      if (reindex)
        if (const pod_entry* entry = find_pod_entry(key))
          unindex_pod(*entry);
      auto index_again = [&] {
        if (reindex)
          if (const pod_entry* entry = find_pod_entry(key))
            index_pod(*entry);
      };
      try {
        events_.observe(state_, r);
        store::apply(state_, r);
      } catch (...) {
        index_again();
        throw;
      }
      index_again();
      auto& count = applied_[static_cast<std::size_t>(r.kind)][r.event.index()];
      if (count++ == 0)
        applied_names_[static_cast<std::size_t>(r.kind)][r.event.index()] = messages::event_name(r);
      rbac_changed = rbac_changed || r.kind == object_kind::role ||
                     r.kind == object_kind::cluster_role || r.kind == object_kind::role_binding ||
                     r.kind == object_kind::cluster_role_binding;
    }
    if (rbac_changed)
      rebuild_policy();
  }
  changed_.notify_all();
}

void read_model::record_reported_events(std::vector<reported_event> events) {
  if (events.empty())
    return;
  const int64_t now = messages::timestamp::now().seconds;
  std::unique_lock<std::shared_mutex> lock(mutex_);
  for (auto& e : events) {
    const pod* p = state_.find<pod>({e.involved.namespace_, e.involved.name});
    if (!p || p->metadata.uid != e.involved.uid)
      continue;
    events_.report(std::move(e), state_.seq, now);
  }
}

std::vector<std::string> read_model::check_appends(
    const std::vector<const std::vector<messages::journal_record>*>& appends) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return store::check_appends(state_, appends);
}

uint64_t read_model::seq() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return state_.seq;
}

std::optional<any_object> read_model::get(object_kind kind, const object_key& key) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  if (kind == object_kind::event) {
    auto it = events_.all().find(key);
    return it == events_.all().end() ? std::nullopt : std::optional<any_object>(it->second);
  }
  if (const any_object* o = state_.find(kind, key))
    return *o;
  return std::nullopt;
}

void read_model::read_object(object_kind kind, const object_key& key,
                             const std::function<void(const any_object*)>& visit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  if (kind == object_kind::event) {
    auto it = events_.all().find(key);
    visit(it == events_.all().end() ? nullptr : &it->second);
    return;
  }
  visit(state_.find(kind, key));
}

template <class F>
void read_model::candidates(object_kind kind, const std::string& ns,
                            const messages::label_selector& labels,
                            const messages::field_selector& fields, F&& visit) const {
  const auto& table = kind == object_kind::event ? events_.all() : state_.of(kind);
  if (kind == object_kind::pod) {
    // Narrow by the node index or by the smallest equality label index.
    if (auto node = fields.required_value("spec.nodeName"); node && !node->empty()) {
      auto it = pods_by_node_.find(*node);
      if (it != pods_by_node_.end())
        for (const pod_entry* entry : it->second)
          if (ns.empty() || entry->first.namespace_ == ns)
            visit(entry->second);
      return;
    }
    if (!ns.empty()) {
      const pod_set* smallest = nullptr;
      bool has_equality = false;
      for (const auto& r : labels.requirements()) {
        if (r.operation != label_requirement::op::equals)
          continue;
        has_equality = true;
        auto it = pods_by_label_.find(label_key(ns, r.key, r.values.front()));
        if (it == pods_by_label_.end())
          return;  // nothing carries this label
        if (!smallest || it->second.size() < smallest->size())
          smallest = &it->second;
      }
      if (has_equality) {
        for (const pod_entry* entry : *smallest)
          visit(entry->second);
        return;
      }
    }
  }
  if (ns.empty()) {
    for (const auto& [key, object] : table)
      visit(object);
  } else {
    for (auto it = table.lower_bound({ns, ""}); it != table.end() && it->first.namespace_ == ns;
         ++it)
      visit(it->second);
  }
}

read_model::list_result read_model::list(object_kind kind, const std::string& ns,
                                         const messages::label_selector& labels,
                                         const messages::field_selector& fields) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  list_result out;
  out.seq = state_.seq;
  candidates(kind, ns, labels, fields, [&](const any_object& o) {
    if (labels.matches(messages::meta_of(o).labels) && fields.matches(o))
      out.items.push_back(o);
  });
  return out;
}

void read_model::read(const std::function<void(const store::cluster_state&)>& visit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  visit(state_);
}

void read_model::for_each_pod(const std::string& ns, const messages::label_selector& selector,
                              const std::function<void(const pod&)>& visit) const {
  with_pods(ns, selector, [&](const std::vector<const pod*>& pods) {
    for (const pod* p : pods)
      visit(*p);
  });
}

void read_model::for_each_pod_on_node(
    const std::string& node,
    const std::function<void(const store::cluster_state&, const pod&)>& visit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  auto it = pods_by_node_.find(node);
  if (it == pods_by_node_.end())
    return;
  for (const pod_entry* entry : it->second)
    visit(state_, std::get<pod>(entry->second));
}

std::vector<std::string> read_model::nodes_with_pods() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  std::vector<std::string> out;
  out.reserve(pods_by_node_.size());
  for (const auto& [node, pods] : pods_by_node_)
    out.push_back(node);
  return out;
}

void read_model::with_pods(const std::string& ns, const messages::label_selector& selector,
                           const std::function<void(const std::vector<const pod*>&)>& visit) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  std::vector<const pod*> matching;
  candidates(object_kind::pod, ns, selector, {}, [&](const any_object& o) {
    const auto& p = std::get<pod>(o);
    if (selector.matches(p.metadata.labels))
      matching.push_back(&p);
  });
  visit(matching);
}

bool read_model::wait_until(const std::function<bool(const store::cluster_state&)>& predicate,
                            std::chrono::milliseconds timeout) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return predicate(state_); });
}

std::map<std::string, uint64_t> read_model::applied_events() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  std::map<std::string, uint64_t> out;
  for (std::size_t k = 0; k < applied_.size(); ++k)
    for (std::size_t e = 0; e < event_types; ++e)
      if (applied_[k][e])
        out[applied_names_[k][e]] += applied_[k][e];
  return out;
}

store::cluster_state read_model::copy_state() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return state_;
}

}  // namespace capstan::actors
