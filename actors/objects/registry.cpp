#include "actors/objects/registry.hpp"

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "actors/objects/admission.hpp"
#include "actors/objects/object_actor.hpp"
#include "actors/objects/object_rules.hpp"
#include "messages/uid.hpp"

namespace capstan::actors {

namespace {

using namespace messages;

struct registry_state {
  object_kind kind = object_kind::pod;
  const read_model* model = nullptr;
  registry_links links;
  std::map<object_key, object_actor> actors;
  std::set<object_key> creating;               // admitted, not yet committed
  std::map<std::string, quota_usage> pending;  // namespace -> usage of `creating`
  // One door per object: while a batch's record for an object is being journaled, commands to
  // that object wait here (they would be planned on the object as it was before the batch),
  // and a batch's command for an object that has an actor goes through that actor.
  std::unordered_map<object_key, int> in_batch;  // objects with batch records in flight -> how many
  struct held_command {
    object_command command;
    std::function<void(command_reply)> answer;
  };
  std::unordered_map<object_key, std::vector<held_command>> held;
  static inline const char* name = "registry";
};

using registry_self = registry_actor::stateful_pointer<registry_state>;

// Fills in what the master owns on a new object.
void stamp_new(any_object& object) {
  auto& meta = meta_of(object);
  meta.uid = new_uid();
  meta.creation_timestamp = timestamp::now();
  meta.deletion_timestamp = {};
  meta.resource_version.clear();
  // Kinds without a spec keep no generation, as in Kubernetes.
  const bool has_spec = !std::holds_alternative<secret>(object) &&
                        !std::holds_alternative<config_map>(object) &&
                        !std::holds_alternative<service_account>(object);
  meta.generation = has_spec ? 1 : 0;
  if (auto* p = std::get_if<pod>(&object)) {
    if (p->spec.node_name.empty())
      p->status = pod_status{};
    if (p->status.phase.empty())
      p->status.phase = "Pending";
  } else if (auto* rc = std::get_if<replication_controller>(&object)) {
    rc->status = replication_controller_status{};
  }
}

// After a delete is committed: free allocations, and delete an RC's pods (Kubernetes'
// background cascading deletion, done by the garbage collector).
void after_delete(registry_self self, const object_key& key, const command_reply& reply,
                  const std::string& cause) {
  auto& st = self->state;
  if (st.kind == object_kind::service || st.kind == object_kind::node)
    self->send(st.links.allocator, release_atom::value, st.kind, key);
  if (st.kind != object_kind::replication_controller || !reply.object || !st.links.pods)
    return;
  const std::string uid = meta_of(*reply.object).uid;
  std::vector<object_key> owned;
  st.model->read([&](const store::cluster_state& s) {
    const auto& pods = s.of(object_kind::pod);
    for (auto it = pods.lower_bound({key.namespace_, ""});
         it != pods.end() && it->first.namespace_ == key.namespace_; ++it)
      for (const auto& o : std::get<pod>(it->second).metadata.owner_references)
        if (o.uid == uid)
          owned.push_back(it->first);
  });
  for (const auto& p : owned) {
    object_command del{object_kind::pod, p, "system:garbage-collector",
                       delete_op{"cascade from ReplicationController " + key.namespace_ + "/" +
                                     key.name + " deleted by " + cause,
                                 uid.empty() ? "" : "", "", std::nullopt}};
    self->request(st.links.pods, caf::infinite, std::move(del))
        .then([](command_reply&) {}, [](const caf::error&) {});
  }
}

bool needs_allocation(object_kind kind) {
  return kind == object_kind::service || kind == object_kind::node;
}

// Admits a create: kind and namespace, generateName, admission (validation, quota counting
// the creates still in flight), uniqueness; stamps what the master owns and counts the object
// as in flight until settle_create. Returns the object to journal, or the refusal.
std::variant<any_object, command_reply> prepare_create(registry_self self,
                                                       create_command& command) {
  auto& st = self->state;
  const object_kind kind = st.kind;
  if (kind_of(command.object) != kind)
    return command_reply::failure(error_code::bad_request,
                                  "the object's kind does not match the resource");
  auto& meta = meta_of(command.object);
  if (info(kind).namespaced && meta.namespace_.empty())
    meta.namespace_ = "default";
  if (!info(kind).namespaced)
    meta.namespace_.clear();
  if (meta.name.empty() && !meta.generate_name.empty()) {
    do {
      meta.name = meta.generate_name + random_suffix();
    } while (st.model->get(kind, {meta.namespace_, meta.name}) ||
             st.creating.count({meta.namespace_, meta.name}));
  }
  std::variant<any_object, command_reply> admitted = command_reply{};
  const quota_usage& pending = st.pending[meta.namespace_];
  st.model->read([&](const store::cluster_state& s) {
    admitted = admit_create(std::move(command.object), s, pending);
  });
  if (std::holds_alternative<command_reply>(admitted))
    return admitted;
  any_object object = std::get<any_object>(std::move(admitted));
  object_key key{meta_of(object).namespace_, meta_of(object).name};
  if (st.creating.count(key) || st.model->get(kind, key))
    return command_reply::failure(error_code::already_exists,
                                  describe(kind, key) + " already exists");
  stamp_new(object);
  st.creating.insert(key);
  st.pending[key.namespace_].add(usage_of(object));
  return object;
}

// A create prepared by prepare_create is no longer in flight (journaled or failed).
void settle_create(registry_self self, const object_key& key, const quota_usage& usage) {
  self->state.creating.erase(key);
  self->state.pending[key.namespace_].add(usage, -1);
}

// The actor of the object `key`, spawned on first use; none when the object does not exist.
object_actor object_actor_for(registry_self self, const object_key& key) {
  auto& st = self->state;
  auto it = st.actors.find(key);
  if (it != st.actors.end())
    return it->second;
  bool exists = false;
  st.model->read_object(st.kind, key, [&](const any_object* o) { exists = o != nullptr; });
  if (!exists)
    return {};
  it = st.actors
           .emplace(key, spawn_object_actor(self->system(), st.kind, key, *st.model,
                                            st.links.journal, st.links.allocator))
           .first;
  // Linked: the object actors stop with their registry.
  self->link_to(it->second);
  return it->second;
}

// Sends `command` to the object's actor and calls `answer` with its reply; after a delete,
// forgets the actor and runs what follows a delete.
void dispatch(registry_self self, object_command command, object_actor target,
              std::function<void(command_reply)> answer) {
  const bool deleting = std::holds_alternative<delete_op>(command.op);
  const object_key key = command.target;
  const std::string cause = command.cause;
  const object_kind kind = self->state.kind;
  self->request(target, caf::infinite, std::move(command))
      .then(
          [=](command_reply& reply) mutable {
            if (deleting && reply.ok() && reply.deleted) {
              auto found = self->state.actors.find(key);
              if (found != self->state.actors.end() && found->second == target)
                self->state.actors.erase(found);
              after_delete(self, key, reply, cause);
            }
            answer(std::move(reply));
          },
          [=](const caf::error&) mutable {
            // The object actor is gone: the object was deleted meanwhile.
            auto found = self->state.actors.find(key);
            if (found != self->state.actors.end() && found->second == target)
              self->state.actors.erase(found);
            answer(
                command_reply::failure(error_code::not_found, describe(kind, key) + " not found"));
          });
}

// Answers a response promise (CAF's promises are used through a callback here, so that held
// commands and a batch's commands share one path).
std::function<void(command_reply)> deliver_to(caf::typed_response_promise<command_reply> rp) {
  return [rp](command_reply reply) mutable { rp.deliver(std::move(reply)); };
}

// A batch's records for `keys` are journaled (or refused): the commands held for them go on,
// in the order they came, through the object actors.
void release(registry_self self, const std::vector<object_key>& keys) {
  auto& st = self->state;
  for (const auto& key : keys) {
    auto count = st.in_batch.find(key);
    if (count == st.in_batch.end() || --count->second > 0)
      continue;
    st.in_batch.erase(count);
    auto held = st.held.find(key);
    if (held == st.held.end())
      continue;
    auto commands = std::move(held->second);
    st.held.erase(held);
    for (auto& h : commands) {
      auto actor = object_actor_for(self, key);
      if (!actor)
        h.answer(
            command_reply::failure(error_code::not_found, describe(st.kind, key) + " not found"));
      else
        dispatch(self, std::move(h.command), actor, std::move(h.answer));
    }
  }
}

registry_actor::behavior_type registry(registry_self self, object_kind kind,
                                       const read_model* model, registry_links links) {
  self->state.kind = kind;
  self->state.model = model;
  self->state.links = std::move(links);
  return {
      [=](create_command& command) -> caf::result<command_reply> {
        auto prepared = prepare_create(self, command);
        if (auto* refusal = std::get_if<command_reply>(&prepared))
          return std::move(*refusal);
        auto object = std::get<any_object>(std::move(prepared));
        object_key key{meta_of(object).namespace_, meta_of(object).name};
        quota_usage usage = usage_of(object);
        if (command.dry_run) {
          // Everything was checked; nothing is kept: the answer is the object the create would
          // journal, with a preview of what the allocator would give it.
          settle_create(self, key, usage);
          if (!needs_allocation(kind)) {
            command_reply reply;
            reply.object = std::move(object);
            return reply;
          }
          auto rp = self->make_response_promise<command_reply>();
          self->request(self->state.links.allocator, caf::infinite, allocate_atom::value,
                        preview_atom::value, std::move(object))
              .then([=](command_reply& previewed) mutable { rp.deliver(std::move(previewed)); },
                    [=](const caf::error& e) mutable {
                      rp.deliver(command_reply::failure(
                          error_code::internal, "allocator unavailable: " + caf::to_string(e)));
                    });
          return rp;
        }
        const bool outcome_only = command.outcome_only;
        const std::string cause = command.cause;
        auto rp = self->make_response_promise<command_reply>();
        auto fail = [=](const caf::error& e) mutable {
          settle_create(self, key, usage);
          rp.deliver(command_reply::failure(error_code::internal,
                                            "journal unavailable: " + caf::to_string(e)));
        };
        auto append = [=](any_object ready) mutable {
          self->request(self->state.links.journal, caf::infinite, append_atom::value,
                        std::vector<journal_record>{creation_record(std::move(ready), cause)})
              .then(
                  [=](store::append_result& result) mutable {
                    settle_create(self, key, usage);
                    if (!result.ok()) {
                      if (kind == object_kind::service || kind == object_kind::node)
                        self->send(self->state.links.allocator, release_atom::value, kind, key);
                      rp.deliver(command_reply::failure(error_code::internal, result.error));
                      return;
                    }
                    command_reply reply;
                    reply.seq = result.first_seq;
                    if (!outcome_only)
                      reply.object = self->state.model->get(kind, key);
                    rp.deliver(std::move(reply));
                  },
                  fail);
        };
        if (needs_allocation(kind)) {
          self->request(self->state.links.allocator, caf::infinite, allocate_atom::value, object)
              .then(
                  [=](command_reply& allocated) mutable {
                    if (!allocated.ok()) {
                      settle_create(self, key, usage);
                      rp.deliver(std::move(allocated));
                      return;
                    }
                    append(std::move(*allocated.object));
                  },
                  fail);
        } else {
          append(std::move(object));
        }
        return rp;
      },
      // Many creates (a controller's burst) admitted one by one and journaled with one request,
      // each create accepted or refused on its own. Outcome-only replies, one per command.
      [=](std::vector<create_command>& commands) -> caf::result<std::vector<command_reply>> {
        std::vector<command_reply> replies(commands.size());
        if (needs_allocation(kind)) {
          for (auto& r : replies)
            r = command_reply::failure(error_code::bad_request,
                                       "batch creates are not offered for this kind");
          return replies;
        }
        std::vector<journal_record> records;
        std::vector<std::size_t> reply_of;
        std::vector<std::pair<object_key, quota_usage>> admitted;
        for (std::size_t i = 0; i < commands.size(); ++i) {
          auto prepared = prepare_create(self, commands[i]);
          if (auto* refusal = std::get_if<command_reply>(&prepared)) {
            replies[i] = std::move(*refusal);
            continue;
          }
          auto& object = std::get<any_object>(prepared);
          admitted.emplace_back(object_key{meta_of(object).namespace_, meta_of(object).name},
                                usage_of(object));
          records.push_back(creation_record(std::move(object), commands[i].cause));
          reply_of.push_back(i);
        }
        if (records.empty())
          return replies;
        auto rp = self->make_response_promise<std::vector<command_reply>>();
        self->request(self->state.links.journal, caf::infinite, append_each_atom::value,
                      std::move(records))
            .then(
                [=](std::vector<store::append_result>& results) mutable {
                  for (std::size_t k = 0; k < reply_of.size(); ++k) {
                    settle_create(self, admitted[k].first, admitted[k].second);
                    auto& reply = replies[reply_of[k]];
                    if (k < results.size() && results[k].ok())
                      reply.seq = results[k].first_seq;
                    else
                      reply = command_reply::failure(
                          error_code::internal,
                          k < results.size() ? results[k].error : "no journal answer");
                  }
                  rp.deliver(std::move(replies));
                },
                [=](const caf::error& e) mutable {
                  for (std::size_t k = 0; k < reply_of.size(); ++k) {
                    settle_create(self, admitted[k].first, admitted[k].second);
                    replies[reply_of[k]] = command_reply::failure(
                        error_code::internal, "journal unavailable: " + caf::to_string(e));
                  }
                  rp.deliver(std::move(replies));
                });
        return rp;
      },
      // Commands planned here, against the objects in place, and journaled with one request;
      // the journal's pre-write check refuses what lost a race meanwhile (a pod bound or
      // deleted since).
      [=](command_batch& batch) -> caf::result<std::vector<command_reply>> {
        auto& st = self->state;
        struct progress {
          std::vector<command_reply> replies;
          std::size_t outstanding = 0;
          caf::typed_response_promise<std::vector<command_reply>> rp;
          void answered() {
            if (--outstanding == 0)
              rp.deliver(std::move(replies));
          }
        };
        auto out = std::make_shared<progress>();
        out->replies.resize(batch.commands.size());
        std::vector<journal_record> records;
        std::vector<std::size_t> reply_of;   // records[k] answers replies[reply_of[k]]
        std::vector<std::size_t> to_actors;  // commands for objects that have an actor
        for (std::size_t i = 0; i < batch.commands.size(); ++i) {
          auto& command = batch.commands[i];
          if (!info(kind).namespaced)
            command.target.namespace_.clear();
          if (command.kind != kind || std::holds_alternative<delete_op>(command.op) ||
              (needs_allocation(kind) && std::holds_alternative<update_op>(command.op)))
            out->replies[i] = command_reply::failure(error_code::bad_request,
                                                     "this command cannot be part of a batch");
          else if (st.actors.count(command.target) || st.in_batch.count(command.target))
            to_actors.push_back(i);
        }
        // Planned here, against the objects in place, with the object actor's rules; the
        // journal's pre-write check refuses what lost a race meanwhile (a pod bound or deleted
        // since).
        st.model->read([&](const store::cluster_state& s) {
          std::size_t next_to_actor = 0;
          for (std::size_t i = 0; i < batch.commands.size(); ++i) {
            if (next_to_actor < to_actors.size() && to_actors[next_to_actor] == i) {
              ++next_to_actor;
              continue;
            }
            if (!out->replies[i].ok())
              continue;
            auto& command = batch.commands[i];
            const any_object* current = s.find(kind, command.target);
            if (!current) {
              out->replies[i] = command_reply::failure(
                  error_code::not_found, describe(kind, command.target) + " not found");
              continue;
            }
            auto planned = plan_change(*current, command);
            if (auto* outcome = std::get_if<command_reply>(&planned)) {
              out->replies[i].error = std::move(outcome->error);  // outcome only: no object
              continue;
            }
            records.push_back(std::get<journal_record>(std::move(planned)));
            reply_of.push_back(i);
          }
        });
        out->outstanding = to_actors.size() + (records.empty() ? 0 : 1);
        if (out->outstanding == 0)
          return std::move(out->replies);
        out->rp = self->make_response_promise<std::vector<command_reply>>();
        // Through the object's door: the command queues behind the actor's own, or behind the
        // batch records in flight for its object.
        for (auto i : to_actors) {
          auto& command = batch.commands[i];
          command.outcome_only = true;
          auto target = command.target;
          auto answer = [out, i](command_reply reply) {
            reply.object.reset();  // outcome only, as the batch's own replies
            out->replies[i] = std::move(reply);
            out->answered();
          };
          if (st.in_batch.count(target))
            st.held[target].push_back({std::move(command), answer});
          else
            dispatch(self, std::move(command), st.actors.at(target), answer);
        }
        if (!records.empty()) {
          std::vector<object_key> keys;
          keys.reserve(records.size());
          for (const auto& r : records) {
            keys.push_back({r.namespace_, r.name});
            ++st.in_batch[keys.back()];
          }
          self->request(st.links.journal, caf::infinite, append_each_atom::value,
                        std::move(records))
              .then(
                  [=](std::vector<store::append_result>& results) {
                    for (std::size_t k = 0; k < reply_of.size(); ++k) {
                      auto& reply = out->replies[reply_of[k]];
                      if (k < results.size() && results[k].ok())
                        reply.seq = results[k].first_seq;
                      else
                        reply = command_reply::failure(
                            error_code::conflict,
                            k < results.size() ? results[k].error : "no journal answer");
                    }
                    release(self, keys);
                    out->answered();
                  },
                  [=](const caf::error& e) {
                    for (auto i : reply_of)
                      out->replies[i] = command_reply::failure(
                          error_code::internal, "journal unavailable: " + caf::to_string(e));
                    release(self, keys);
                    out->answered();
                  });
        }
        return out->rp;
      },
      [=](object_command& command) -> caf::result<command_reply> {
        auto& st = self->state;
        if (!info(kind).namespaced)
          command.target.namespace_.clear();
        if (st.in_batch.count(command.target)) {
          auto rp = self->make_response_promise<command_reply>();
          st.held[command.target].push_back({std::move(command), deliver_to(rp)});
          return rp;
        }
        auto actor = object_actor_for(self, command.target);
        if (!actor)
          return command_reply::failure(error_code::not_found,
                                        describe(kind, command.target) + " not found");
        if (command.outcome_only && !std::holds_alternative<delete_op>(command.op)) {
          // The object actor answers the caller itself: nothing to do here afterwards, and
          // no response to wait for (a controller's burst would keep thousands in flight).
          return self->delegate(actor, std::move(command));
        }
        auto rp = self->make_response_promise<command_reply>();
        dispatch(self, std::move(command), actor, deliver_to(rp));
        return rp;
      },
  };
}

}  // namespace

std::string random_suffix(std::size_t length) {
  // Kubernetes avoids vowels and look-alikes so that generated names spell no words.
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  auto& rng = thread_rng();
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::string out;
  for (std::size_t i = 0; i < length; ++i)
    out += alphabet[pick(rng)];
  return out;
}

registry_actor spawn_registry(caf::actor_system& system, object_kind kind, const read_model& model,
                              registry_links links) {
  return system.spawn(registry, kind, &model, std::move(links));
}

}  // namespace capstan::actors
