#include "actors/objects/object_actor.hpp"

#include "actors/objects/object_rules.hpp"
#include "store/apply.hpp"

namespace capstan::actors {

namespace {

// The object a planned record would leave, by the one apply function on a scratch copy (dry
// runs). Keeps the current resourceVersion: nothing was written.
command_reply preview_of(const read_model& model, object_kind kind, const object_key& key,
                         messages::journal_record record) {
  store::cluster_state scratch;
  std::string resource_version;
  model.read_object(kind, key, [&](const any_object* o) {
    if (o) {
      scratch.of(kind).emplace(key, *o);
      resource_version = messages::meta_of(*o).resource_version;
    }
  });
  record.seq = scratch.seq + 1;
  try {
    store::apply(scratch, record);
  } catch (const store::store_error& e) {
    return command_reply::failure(error_code::conflict, e.what());
  }
  command_reply reply;
  if (const any_object* after = scratch.find(kind, key)) {
    reply.object = *after;
    messages::meta_of(*reply.object).resource_version = resource_version;
  }
  return reply;
}

struct object_state {
  static inline const char* name = "object";
};

object_actor::behavior_type object(object_actor::stateful_pointer<object_state> self,
                                   object_kind kind, object_key key, const read_model* model,
                                   journal_actor journal, allocator_actor allocator) {
  return {
      [=](object_command& command) -> caf::result<command_reply> {
        // Planned against the object in place (no copy); a delete's reply carries the object
        // as it was, so only then is it copied.
        std::optional<planned_change> planned;
        std::optional<any_object> current;
        const bool delete_command = std::holds_alternative<delete_op>(command.op);
        if (delete_command && kind == object_kind::pod) {
          // A pod bound to a node that is not registered has nobody to end it and confirm:
          // it goes at once (Kubernetes' pod garbage collector force-deletes such pods).
          auto& del = std::get<delete_op>(command.op);
          model->read([&](const store::cluster_state& s) {
            const auto* p = s.find<messages::pod>(key);
            if (p && !p->spec.node_name.empty() &&
                !s.of(object_kind::node).count(object_key{"", p->spec.node_name}))
              del.grace_period_seconds = 0;
          });
        }
        model->read_object(kind, key, [&](const any_object* object) {
          if (!object)
            return;
          planned = plan_change(*object, command);
          if (delete_command)
            current = *object;
        });
        if (!planned)
          return command_reply::failure(error_code::not_found, describe(kind, key) + " not found");
        if (auto* reply = std::get_if<command_reply>(&*planned))
          return std::move(*reply);
        auto record = std::get<messages::journal_record>(std::move(*planned));
        bool deleting = std::holds_alternative<messages::object_deleted>(record.event);
        const bool dry_run = command.dry_run;
        if (dry_run && deleting) {
          command_reply reply;
          reply.object = std::move(current);
          return reply;  // not `deleted`: nothing was
        }
        const bool outcome_only = command.outcome_only;
        auto rp = self->make_response_promise<command_reply>();
        auto fail = [rp](const caf::error& e) mutable {
          rp.deliver(command_reply::failure(error_code::internal,
                                            "journal unavailable: " + caf::to_string(e)));
        };
        // Appends and waits: later commands to this object queue until this one is durable.
        // A dry run answers the object the record would leave instead.
        // After a service update's append, committed or not, the allocator frees the NodePorts
        // the journaled service no longer holds (it kept them meanwhile).
        const bool settles = !dry_run && kind == object_kind::service &&
                             std::holds_alternative<messages::object_updated>(record.event);
        auto settle = [=] {
          if (!settles)
            return;
          if (auto committed = model->get(kind, key))
            self->send(allocator, settle_atom::value, std::move(*committed));
        };
        auto finish = [=](messages::journal_record r) mutable {
          if (dry_run) {
            rp.deliver(preview_of(*model, kind, key, std::move(r)));
            return;
          }
          self->request(journal, caf::infinite, append_atom::value,
                        std::vector<messages::journal_record>{std::move(r)})
              .await(
                  [=](store::append_result& result) mutable {
                    settle();
                    if (!result.ok()) {
                      rp.deliver(command_reply::failure(error_code::internal, result.error));
                      return;
                    }
                    command_reply reply;
                    reply.seq = result.first_seq;
                    reply.deleted = deleting;
                    if (deleting)
                      reply.object = current;
                    else if (!outcome_only)
                      reply.object = model->get(kind, key);
                    rp.deliver(std::move(reply));
                    if (deleting)
                      self->quit();
                  },
                  [=](const caf::error& e) mutable {
                    settle();
                    fail(e);
                  });
        };
        auto* updated = std::get_if<messages::object_updated>(&record.event);
        if (updated && kind == object_kind::service) {
          // A changed service may need other NodePorts or a ClusterIP: the allocator decides
          // (for a dry run, only what it would decide, reserving nothing).
          auto ask = dry_run ? self->request(allocator, caf::infinite, allocate_atom::value,
                                             preview_atom::value, updated->object)
                             : self->request(allocator, caf::infinite, allocate_atom::value,
                                             updated->object);
          ask.await(
              [=](command_reply& allocated) mutable {
                if (!allocated.ok()) {
                  rp.deliver(std::move(allocated));
                  return;
                }
                auto r = record;
                std::get<messages::object_updated>(r.event).object = std::move(*allocated.object);
                finish(std::move(r));
              },
              fail);
        } else {
          finish(std::move(record));
        }
        return rp;
      },
  };
}

}  // namespace

object_actor spawn_object_actor(caf::actor_system& system, object_kind kind, object_key key,
                                const read_model& model, journal_actor journal,
                                allocator_actor allocator) {
  return system.spawn(object, kind, std::move(key), &model, std::move(journal),
                      std::move(allocator));
}

}  // namespace capstan::actors
