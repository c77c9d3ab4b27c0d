// Tests actors/objects/registry.cpp: one door per object between the registry's batches and
// the object actors, on CAF's test coordinator with a journal that answers when told.
#include <boost/test/unit_test.hpp>

#include "actors/objects/registry.hpp"
#include "messages/defaults.hpp"
#include "store/apply.hpp"
#include "tests/actors/deterministic_system.hpp"
#include "tests/store/records.hpp"

using namespace capstan;
using namespace capstan::actors;
using namespace capstan::test;

namespace {

// A journal that keeps every append until the test commits it; a commit applies the records to
// the read model first, as the real journal's does, then answers (inside the actor: a promise
// is delivered from its own actor's context).
struct held_journal {
  struct append {
    std::vector<messages::journal_record> records;
    caf::typed_response_promise<store::append_result> reply;                 // append
    caf::typed_response_promise<std::vector<store::append_result>> replies;  // append_each
    bool each = false;
  };
  // The journal's interface, and (committed_atom, index): commit the index'th append.
  using held_journal_actor = journal_actor::extend<caf::reacts_to<committed_atom, std::size_t>>;
  using self_pointer = held_journal_actor::pointer;

  read_model* model = nullptr;
  uint64_t seq = 1;
  std::vector<append> appends;
  held_journal_actor actor;

  void spawn(deterministic_system& sys, read_model& m) {
    model = &m;
    actor =
        sys.keep(sys.system->spawn([this](self_pointer self) -> held_journal_actor::behavior_type {
          return {
              [=](append_atom, std::vector<messages::journal_record>& records)
                  -> caf::result<store::append_result> {
                append a{std::move(records), {}, {}, false};
                a.reply = self->make_response_promise<store::append_result>();
                appends.push_back(a);
                return a.reply;
              },
              [=](append_each_atom, std::vector<messages::journal_record>& records)
                  -> caf::result<std::vector<store::append_result>> {
                append a{std::move(records), {}, {}, true};
                a.replies = self->make_response_promise<std::vector<store::append_result>>();
                appends.push_back(a);
                return a.replies;
              },
              [](subscribe_atom, sequence_number, const batch_subscriber_actor&) {},
              [=](committed_atom, std::size_t index) { deliver(index); },
          };
        }));
  }

  // Commits the `index`th append and runs what follows.
  void commit(deterministic_system& sys, std::size_t index) {
    caf::anon_send(actor, committed_atom::value, index);
    sys.run();
  }

private:
  void deliver(std::size_t index) {
    auto& a = appends.at(index);
    std::vector<store::append_result> results;
    for (auto& r : a.records) {
      r.seq = ++seq;
      store::append_result one;
      one.first_seq = one.last_seq = r.seq;
      results.push_back(one);
    }
    model->apply(a.records);
    if (a.each)
      a.replies.deliver(results);
    else
      a.reply.deliver(results.at(0));
  }
};

// Sends `command` to `registry` from an actor of its own; the reply lands in the result.
template <class Command>
std::shared_ptr<std::optional<command_reply>> ask(deterministic_system& sys,
                                                  registry_actor registry, Command command) {
  auto out = std::make_shared<std::optional<command_reply>>();
  sys.system->spawn([=](caf::event_based_actor* self) {
    self->request(registry, caf::infinite, command).then([=](command_reply& reply) {
      *out = std::move(reply);
    });
  });
  return out;
}

store::cluster_state with_pod_a() {
  store::cluster_state s;
  any_object defaulted = small_pod("a");
  messages::apply_defaults(defaulted);  // as admission stores it
  auto created_pod = created(defaulted);
  created_pod.seq = 1;
  store::apply(s, created_pod);
  return s;
}

// A pod registry over a model holding pod default/a, journaling into a held_journal.
struct pod_registry {
  read_model model{with_pod_a()};
  held_journal journal;
  deterministic_system sys;  // after what its actors use: they stop first
  registry_actor pods;

  pod_registry() {
    journal.spawn(sys, model);
    pods = sys.keep(spawn_registry(*sys.system, object_kind::pod, model, {journal.actor, {}, {}}));
  }
};

}  // namespace

// Regression: an image update planned by the pod's actor while a batch's bind was being
// journaled carried the pod as it was before the bind, and replaced it: the pod lost its node.
BOOST_AUTO_TEST_CASE(a_command_waits_for_the_batch_record_of_its_object) {
  pod_registry r;
  auto& [model, journal, sys, pods] = r;
  sys.run();
  // A bind in a batch, then an update, while the bind is not yet durable.
  command_batch binds;
  binds.commands.push_back(
      object_command{object_kind::pod, {"default", "a"}, "system:scheduler", bind_op{"n1"}, true});
  caf::anon_send(pods, std::move(binds));
  sys.run();
  auto updated = std::get<messages::pod>(*model.get(object_kind::pod, {"default", "a"}));
  updated.spec.containers[0].image = "nginx";  // an update, not only labels
  updated.metadata.resource_version.clear();   // a kubectl replace without a precondition
  auto answer =
      ask(sys, pods,
          object_command{object_kind::pod, {"default", "a"}, "bob", update_op{updated}, true});
  sys.run();
  BOOST_REQUIRE(journal.appends.size() == 1u);  // the update waits behind the bind
  BOOST_TEST(journal.appends[0].each);          // the batch's append
  BOOST_TEST(std::holds_alternative<messages::pod_bound>(journal.appends[0].records.at(0).event));
  journal.commit(sys, 0);
  BOOST_REQUIRE(journal.appends.size() == 2u);
  auto* update = std::get_if<messages::object_updated>(&journal.appends[1].records.at(0).event);
  BOOST_REQUIRE(update);
  BOOST_TEST(std::get<messages::pod>(update->object).spec.node_name == "n1");
  journal.commit(sys, 1);
  BOOST_REQUIRE(answer->has_value());
  BOOST_TEST((*answer)->ok());
}

// A batch's command for an object that has an actor is planned by that actor (after the
// actor's own commands), not beside it.
BOOST_AUTO_TEST_CASE(a_batch_command_for_an_object_with_an_actor_goes_through_it) {
  pod_registry r;
  auto& [model, journal, sys, pods] = r;
  auto relabelled = std::get<messages::pod>(*model.get(object_kind::pod, {"default", "a"}));
  relabelled.metadata.labels = {{"tier", "web"}};
  auto first =
      ask(sys, pods,
          object_command{object_kind::pod, {"default", "a"}, "alice", update_op{relabelled}, true});
  sys.run();
  BOOST_REQUIRE(journal.appends.size() == 1u);  // the update, not yet durable
  command_batch binds;
  binds.commands.push_back(
      object_command{object_kind::pod, {"default", "a"}, "system:scheduler", bind_op{"n1"}, true});
  caf::anon_send(pods, std::move(binds));
  sys.run();
  BOOST_TEST(journal.appends.size() == 1u);  // the bind queues behind the update in the actor
  journal.commit(sys, 0);
  BOOST_REQUIRE(journal.appends.size() == 2u);
  BOOST_TEST(!journal.appends[1].each);  // the actor's own append
  BOOST_TEST(std::holds_alternative<messages::pod_bound>(journal.appends[1].records.at(0).event));
  journal.commit(sys, 1);
}
