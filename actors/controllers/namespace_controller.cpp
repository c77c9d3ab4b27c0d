#include "actors/controllers/namespace_controller.hpp"

#include <set>

namespace capstan::actors {

using namespace messages;

std::vector<std::pair<object_kind, object_key>> orphaned_by_namespace(
    const store::cluster_state& state, const std::string& only_namespace) {
  // RCs first (their pods then go by the cascade), then everything else a user can create.
  // Endpoints go with their services (the endpoints controller owns them), events are derived.
  static const object_kind order[] = {object_kind::replication_controller, object_kind::pod,
                                      object_kind::service, object_kind::resource_quota,
                                      object_kind::limit_range};
  const auto& namespaces = state.of(object_kind::namespace_);
  std::vector<std::pair<object_kind, object_key>> out;
  for (auto kind : order) {
    const auto& objects = state.of(kind);
    auto it = only_namespace.empty() ? objects.begin() : objects.lower_bound({only_namespace, ""});
    while (it != objects.end() &&
           (only_namespace.empty() || it->first.namespace_ == only_namespace)) {
      const std::string ns = it->first.namespace_;
      bool missing = !namespaces.count({"", ns});
      // Keys are ordered by namespace: take or skip the whole namespace at once.
      for (; it != objects.end() && it->first.namespace_ == ns; ++it)
        if (missing)
          out.emplace_back(kind, it->first);
    }
  }
  return out;
}

namespace {

// How long a failed delete waits before its namespace is looked at again.
constexpr std::chrono::seconds retry_after{1};

struct namespace_controller_state {
  std::set<std::string> dirty;  // namespaces to look at
  bool turn_pending = false;
  static inline const char* name = "namespace-controller";
};

using ns_actor = caf::stateful_actor<namespace_controller_state>;

void request_turn(ns_actor* self) {
  if (!self->state.turn_pending && !self->state.dirty.empty()) {
    self->state.turn_pending = true;
    self->send(self, tick_atom::value);
  }
}

caf::behavior namespace_controller(ns_actor* self, const read_model* model,
                                   std::vector<caf::actor> registries) {
  std::vector<std::pair<object_kind, object_key>> at_start;
  model->read([&](const store::cluster_state& s) { at_start = orphaned_by_namespace(s); });
  for (const auto& [kind, key] : at_start)
    self->state.dirty.insert(key.namespace_);
  request_turn(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch) {
          if (r.kind == object_kind::namespace_) {
            if (std::holds_alternative<object_deleted>(r.event))
              self->state.dirty.insert(r.name);
          } else if (!r.namespace_.empty() && std::holds_alternative<object_created>(r.event) &&
                     !self->state.dirty.count(r.namespace_)) {
            // Only a creation can land in a namespace that is gone (one that raced with the
            // delete): every other record concerns an object that was created before.
            bool missing = false;
            model->read([&](const store::cluster_state& s) {
              missing = !s.of(object_kind::namespace_).count({"", r.namespace_});
            });
            if (missing)
              self->state.dirty.insert(r.namespace_);
          }
        }
        request_turn(self);
      },
      // A namespace whose emptying failed in part: looked at again.
      [=](resync_atom, const std::string& ns) {
        self->state.dirty.insert(ns);
        request_turn(self);
      },
      [=](tick_atom) {
        self->state.turn_pending = false;
        auto dirty = std::move(self->state.dirty);
        self->state.dirty.clear();
        for (const auto& ns : dirty) {
          std::vector<std::pair<object_kind, object_key>> orphans;
          model->read(
              [&](const store::cluster_state& s) { orphans = orphaned_by_namespace(s, ns); });
          for (const auto& [kind, key] : orphans) {
            object_command del{kind, key, "system:namespace-controller",
                               delete_op{"namespace " + ns + " deleted", "", ""}};
            // A not-found answer means the RC's cascade or the endpoints controller was first;
            // any other failure (the journal refused the append, say) is tried again later.
            auto retry = [=] {
              self->delayed_send(self, retry_after, resync_atom::value, ns);
            };
            self->request(registries[static_cast<std::size_t>(kind)], caf::infinite, std::move(del))
                .then(
                    [=](command_reply& r) {
                      if (!r.ok() && r.error->code != error_code::not_found)
                        retry();
                    },
                    [=](const caf::error&) { retry(); });
          }
        }
      },
  };
}

}  // namespace

caf::actor spawn_namespace_controller(caf::actor_system& system, const read_model& model,
                                      std::vector<caf::actor> registries) {
  return system.spawn(namespace_controller, &model, std::move(registries));
}

}  // namespace capstan::actors
