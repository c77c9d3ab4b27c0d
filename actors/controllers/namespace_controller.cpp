#include "actors/controllers/namespace_controller.hpp"

namespace capstan::actors {

using namespace messages;

const std::vector<object_kind>& namespace_content_kinds() {
  // Endpoints go with their services (the endpoints controller owns them), events are derived.
  static const std::vector<object_kind> order = {
      object_kind::role_binding,  object_kind::role,           object_kind::replication_controller,
      object_kind::pod,           object_kind::service,        object_kind::resource_quota,
      object_kind::limit_range,   object_kind::secret,         object_kind::config_map,
      object_kind::service_account};
  return order;
}

std::vector<std::pair<object_kind, object_key>> orphaned_by_namespace(
    const store::cluster_state& state, const std::string& only_namespace) {
  const auto& namespaces = state.of(object_kind::namespace_);
  std::vector<std::pair<object_kind, object_key>> out;
  for (auto kind : namespace_content_kinds()) {
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

struct namespace_controller_state {
  controller_queue<std::string> queue;  // namespaces to empty (deleted ones that hold objects)
  static inline const char* name = "namespace-controller";
};

using ns_self = controller_impl_actor::stateful_pointer<namespace_controller_state>;

void add_orphaned(ns_self self, const read_model* model) {
  std::vector<std::pair<object_kind, object_key>> orphans;
  model->read([&](const store::cluster_state& s) { orphans = orphaned_by_namespace(s); });
  for (const auto& [kind, key] : orphans)
    self->state.queue.add(key.namespace_);
}

// Deletes what is left in the deleted namespace `ns`, each object through its registry. The
// namespace is done when every delete is answered: well, or NotFound (the RC's cascade or the
// endpoints controller was first); anything else fails it, and it is emptied again later.
void sync(ns_self self, const read_model* model, const std::vector<registry_actor>& registries,
          const std::string& ns) {
  std::vector<std::pair<object_kind, object_key>> orphans;
  model->read([&](const store::cluster_state& s) { orphans = orphaned_by_namespace(s, ns); });
  if (orphans.empty()) {
    self->state.queue.succeeded(self, ns);
    return;
  }
  auto answered = self->state.queue.await_answers(self, ns, orphans.size());
  for (const auto& [kind, key] : orphans) {
    object_command del{kind, key, "system:namespace-controller",
                       delete_op{"namespace " + ns + " deleted", "", "", std::nullopt}, true};
    auto what = describe(kind, key);
    self->request(registries[static_cast<std::size_t>(kind)], caf::infinite, std::move(del))
        .then(
            [=](command_reply& r) {
              bool gone = r.ok() || r.error->code == error_code::not_found;
              answered(gone ? "" : "deleting " + what + ": " + r.error->message);
            },
            [=](const caf::error& e) {
              answered("deleting " + what + ": registry unavailable: " + caf::to_string(e));
            });
  }
}

controller_impl_actor::behavior_type namespace_controller(ns_self self, const read_model* model,
                                                          std::vector<registry_actor> registries,
                                                          controller_options options) {
  self->state.queue.configure(namespace_controller_state::name, std::move(options));
  add_orphaned(self, model);
  self->state.queue.request_turn(self);
  self->state.queue.schedule_resync(self);
  return {
      [=](committed_atom, const committed_batch& batch) {
        for (const auto& r : *batch) {
          if (r.kind == object_kind::namespace_) {
            if (std::holds_alternative<object_deleted>(r.event))
              self->state.queue.add(r.name);
          } else if (!r.namespace_.empty() && std::holds_alternative<object_created>(r.event)) {
            // Only a creation can land in a namespace that is gone (one that raced with the
            // delete): every other record concerns an object that was created before.
            bool missing = false;
            model->read([&](const store::cluster_state& s) {
              missing = !s.of(object_kind::namespace_).count({"", r.namespace_});
            });
            if (missing)
              self->state.queue.add(r.namespace_);
          }
        }
        self->state.queue.request_turn(self);
      },
      [=](resync_atom) {
        add_orphaned(self, model);
        self->state.queue.request_turn(self);
        self->state.queue.schedule_resync(self);
      },
      [=](tick_atom) {
        self->state.queue.begin_turn(self);
        while (auto ns = self->state.queue.next(self))
          sync(self, model, registries, *ns);
        self->state.queue.request_turn(self);
      },
  };
}

}  // namespace

controller_actor spawn_namespace_controller(caf::actor_system& system, const read_model& model,
                                            std::vector<registry_actor> registries,
                                            controller_options options) {
  return system.spawn(namespace_controller, &model, std::move(registries), std::move(options));
}

}  // namespace capstan::actors
