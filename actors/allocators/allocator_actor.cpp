#include "actors/allocators/allocator_actor.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct allocator_state {
  std::optional<allocation_tables> tables;  // set first thing (CAF states take no arguments)
  static inline const char* name = "allocator";
};

command_reply allocate(allocation_tables& tables, any_object object) {
  if (auto* s = std::get_if<service>(&object))
    return tables.allocate_service(std::move(*s));
  if (auto* n = std::get_if<node>(&object))
    return tables.allocate_node(std::move(*n));
  return command_reply::failure(error_code::bad_request, "nothing to allocate for this kind");
}

allocator_actor::behavior_type allocator(allocator_actor::stateful_pointer<allocator_state> self,
                                         allocator_config config, const read_model* model) {
  auto& tables = self->state.tables.emplace(config);
  model->read([&](const store::cluster_state& s) { tables.rebuild(s); });
  return {
      [=](allocate_atom, any_object& object) -> command_reply {
        return allocate(*self->state.tables, std::move(object));
      },
      [=](allocate_atom, preview_atom, any_object& object) -> command_reply {
        // On a copy of the tables: the preview reserves and frees nothing.
        allocation_tables scratch = *self->state.tables;
        return allocate(scratch, std::move(object));
      },
      [=](release_atom, object_kind kind, const object_key& key) {
        self->state.tables->release(kind, key);
      },
      [=](settle_atom, const any_object& committed) {
        if (auto* s = std::get_if<service>(&committed))
          self->state.tables->settle_service(*s);
      },
  };
}

}  // namespace

allocator_actor spawn_allocator(caf::actor_system& system, const allocator_config& config,
                                const read_model& model) {
  return system.spawn(allocator, config, &model);
}

}  // namespace capstan::actors
