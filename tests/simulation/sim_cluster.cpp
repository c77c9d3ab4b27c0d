#include "tests/simulation/sim_cluster.hpp"

#include <algorithm>

#include "messages/uid.hpp"
#include "nodeagent/simulated_nodes.hpp"
#include "store/apply.hpp"

namespace capstan::simulation {

using namespace messages;

namespace {

// Node lifecycle on simulated time: a node silent for 40 s is Unknown, one not ready for
// 60 s more loses its pods; checked every 5 s. The controllers' back-off (at most 30 s) fits
// in the settling window (60 quiet seconds).
actors::control_plane_config simulated_config() {
  actors::control_plane_config c;
  c.lifecycle.grace = std::chrono::seconds(40);
  c.lifecycle.eviction = std::chrono::seconds(60);
  c.lifecycle.period = std::chrono::seconds(5);
  // Failed syncs are part of the faults injected; the invariants judge the outcome.
  c.controllers.log = [](const std::string&) {};
  return c;
}

}  // namespace

pod_status running_status(const std::string& pod_ip, int64_t now) {
  pod_status s;
  s.phase = "Running";
  s.pod_ip = pod_ip;
  s.start_time = timestamp{now};
  s.conditions = {{"PodScheduled", "True", {}, timestamp{now}, "", ""},
                  {"Ready", "True", {}, timestamp{now}, "", ""}};
  return s;
}

sim_cluster::sim_cluster(uint64_t seed) : rng(seed) {
  // The actors' uids and generated names come from the same seed.
  seed_thread_rng(seed * 0x9e3779b97f4a7c15ULL + 1);
  cfg_.set("scheduler.policy", caf::atom("testing"));
  cfg_.set("logger.file-verbosity", caf::atom("quiet"));
  cfg_.set("logger.console-verbosity", caf::atom("quiet"));
  system_ = std::make_unique<caf::actor_system>(cfg_);
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
  sched_->clock().current_time += std::chrono::hours(1);
  journal_.now_nanos = now_seconds_ * 1000000000LL;
  start_master({});
  for (const char* ns : {"default", "kube-system"}) {
    namespace_object o;
    o.metadata.name = ns;
    create(o);
  }
  while (sched_->has_job())
    run(100000);
}

sim_cluster::~sim_cluster() {
  stop_master(0);
  system_->await_actors_before_shutdown(false);
  system_.reset();
}

void sim_cluster::start_master(store::cluster_state state) {
  model_ = std::make_unique<actors::read_model>(std::move(state));
  journal_.attach(model_.get(), [this](const actors::committed_batch& b) { publish(b); });
  journal_actor_ = spawn_sim_journal_actor(*system_, journal_);
  actors_ = actors::spawn_control_plane(*system_, *model_, journal_actor_, simulated_config());
}

void sim_cluster::stop_master(std::size_t durable) {
  if (!journal_actor_)
    return;
  std::vector<caf::actor_addr> all = actors_.clients();
  all.push_back(actors_.allocator.address());
  for (const auto& c : clients_)
    all.push_back(c.address());
  for (const auto& a : all)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  while (sched_->has_job())
    run(100000);
  // The journal goes last, refusing what it still holds from inside its actor: an actor waiting
  // for that answer (CAF's `await`) skips its exit message until the answer comes, and would
  // otherwise live on, holding the stopped master's other actors.
  caf::anon_send(journal_actor_, crash_atom::value, static_cast<uint64_t>(durable));
  while (sched_->has_job())
    run(100000);
  clients_.clear();
  for (auto& n : nodes)
    n.registering = false;  // its create died with the master (the node joins again)
  actors_ = {};
  journal_actor_ = nullptr;
}

std::pair<store::cluster_state, store::cluster_state> sim_cluster::restart_master(
    std::size_t durable) {
  stop_master(durable);
  auto live = model_->copy_state();
  journal_.detach();
  model_.reset();
  // Restart = replay of the journal through the one apply function (store/apply.hpp).
  store::cluster_state replayed;
  for (const auto& r : journal_.records())
    store::apply(replayed, r);
  start_master(replayed);
  return {std::move(live), std::move(replayed)};
}

void sim_cluster::resume_journal() {
  journal_.faults.stalled = false;
  if (journal_actor_)
    caf::anon_send(journal_actor_, actors::tick_atom::value);
}

void sim_cluster::publish(const actors::committed_batch& batch) {
  for (const auto& a : actors_.batch_subscribers())
    caf::anon_send(a, actors::committed_atom::value, batch);
  caf::anon_send(journal_actor_, actors::committed_atom::value, batch);
}

std::size_t sim_cluster::run(std::size_t max) {
  std::size_t n = 0;
  for (; n < max && sched_->has_job(); ++n) {
    auto& jobs = sched_->jobs;
    std::size_t i = pick(jobs.size());
    if (i != 0)
      std::rotate(jobs.begin(), jobs.begin() + i, jobs.begin() + i + 1);
    sched_->run_once();
  }
  messages_run_ += n;
  return n;
}

std::string sim_cluster::busiest(std::size_t count) {
  std::map<std::string, std::size_t> by_actor;
  for (std::size_t n = 0; n < count && sched_->has_job(); ++n) {
    auto& jobs = sched_->jobs;
    std::size_t i = pick(jobs.size());
    std::rotate(jobs.begin(), jobs.begin() + i, jobs.begin() + i + 1);
    if (auto* a = dynamic_cast<caf::local_actor*>(jobs.front()))
      ++by_actor[a->name()];
    sched_->run_once();
    ++messages_run_;
  }
  std::string out;
  for (const auto& [name, n] : by_actor)
    out += (out.empty() ? "" : ", ") + name + ": " + std::to_string(n);
  return out;
}

void sim_cluster::advance(std::chrono::seconds by) {
  now_seconds_ += by.count();
  journal_.now_nanos = now_seconds_ * 1000000000LL;
  sched_->advance_time(by);
  std::vector<delayed_delivery> due;
  auto late =
      std::stable_partition(delayed_.begin(), delayed_.end(),
                            [&](const delayed_delivery& d) { return d.due > now_seconds_; });
  due.assign(std::make_move_iterator(late), std::make_move_iterator(delayed_.end()));
  delayed_.erase(late, delayed_.end());
  for (auto& d : due)
    d.deliver();
}

void sim_cluster::spawn_client(std::function<void(caf::event_based_actor*)> body) {
  clients_.push_back(system_->spawn([body](caf::event_based_actor* self) { body(self); }));
  if (clients_.size() > 256)  // forget the handles of clients long finished
    clients_.erase(clients_.begin(), clients_.begin() + 128);
}

template <class Message>
void sim_cluster::request_as_client(object_kind kind, object_key key, Message message,
                                    bool always_journals,
                                    std::function<void(const command_reply&)> done) {
  auto target = actors_.registry(kind);
  spawn_client([=](caf::event_based_actor* self) {
    self->request(target, caf::infinite, message)
        .then(
            [=](command_reply& r) {
              if (r.ok() && (always_journals || r.seq))
                acknowledged_.push_back({kind, key, r.seq, step});
              if (done)
                done(r);
            },
            [=](caf::error& e) {
              if (done)
                done(command_reply::failure(actors::error_code::internal, caf::to_string(e)));
            });
  });
}

void sim_cluster::create(any_object object, std::function<void(const command_reply&)> done) {
  const object_kind kind = kind_of(object);
  const object_key key{meta_of(object).namespace_, meta_of(object).name};
  // A create that succeeded wrote a record: an acknowledged seq 0 is a lie the invariant catches.
  request_as_client(kind, key, actors::create_command{object, "sim:client"}, true, std::move(done));
}

void sim_cluster::command(actors::object_command command,
                          std::function<void(const command_reply&)> done) {
  // Other commands may succeed with nothing to journal (seq 0): only the others are recorded.
  request_as_client(command.kind, command.target, command, false, std::move(done));
}

void sim_cluster::send_or_hold(double duplicate, double delay, const char* kind,
                               std::function<void()> send) {
  if (chance(duplicate)) {
    ++faults[std::string("duplicated ") + kind];
    send();
  }
  if (chance(delay)) {
    ++faults[std::string("delayed ") + kind];
    delayed_.push_back({now_seconds_ + 1 + static_cast<int64_t>(pick(20)), std::move(send)});
    return;
  }
  send();
}

void sim_cluster::node_duties(double duplicate, double delay) {
  for (auto& n : nodes) {
    if (!n.wanted || n.silent)
      continue;
    auto current = model_->get(object_kind::node, {"", n.name});
    if (!current) {
      if (n.registering)
        continue;
      nodeagent::simulated_nodes_config described;
      described.prefix = n.name;
      described.count = 1;
      described.first_index = 0;
      auto self = nodeagent::describe_simulated_nodes(described).at(0);
      self.metadata.name = n.name;
      n.registering = true;
      const std::string name = n.name;
      create(self, [this, name](const command_reply&) {
        for (auto& m : nodes)
          if (m.name == name)
            m.registering = false;
      });
      continue;
    }
    if (now_seconds_ >= n.next_heartbeat) {
      n.next_heartbeat = now_seconds_ + 10;
      auto lifecycle = actors_.lifecycle;
      send_or_hold(duplicate, delay, "heartbeat", [lifecycle, name = n.name] {
        caf::anon_send(lifecycle, actors::heartbeat_atom::value, actors::node_name{name});
      });
    }
    // Reports, as the node gateway turns them into status commands: the node's current pods
    // that do not say Running yet.
    const std::string cidr = std::get<node>(*current).spec.pod_cidr;
    actors::command_batch batch;
    std::vector<actors::object_command> confirmations;
    model_->for_each_pod_on_node(n.name, [&](const store::cluster_state&, const pod& p) {
      if (!p.metadata.deletion_timestamp.empty()) {
        // A pod being deleted has ended on the node at once: it confirms, as an agent does.
        confirmations.push_back(actors::object_command{
            object_kind::pod,
            {p.metadata.namespace_, p.metadata.name},
            "system:node:" + n.name,
            actors::delete_op{"terminated on node " + n.name, p.metadata.uid, "", 0},
            true});
        return;
      }
      if (p.status.phase == "Running")
        return;
      auto reported = p;
      std::string ip = cidr.substr(0, cidr.rfind('.') + 1) + std::to_string(2 + pod_ips_++ % 250);
      reported.status = running_status(ip, now_seconds_);
      reported.metadata.resource_version.clear();
      batch.commands.push_back(
          actors::object_command{object_kind::pod,
                                 {p.metadata.namespace_, p.metadata.name},
                                 "system:node:" + n.name,
                                 actors::status_op{any_object(std::move(reported))},
                                 true});
    });
    auto pods = actors_.registry(object_kind::pod);
    for (auto& confirmation : confirmations)
      send_or_hold(duplicate, delay, "pod deletion confirmed",
                   [this, pods, confirmation] {
                     spawn_client([=](caf::event_based_actor* self) {
                       self->request(pods, caf::infinite, confirmation)
                           .then([](command_reply&) {}, [](caf::error&) {});
                     });
                   });
    if (batch.commands.empty())
      continue;
    send_or_hold(duplicate, delay, "pod status report", [this, pods, batch] {
      spawn_client([=](caf::event_based_actor* self) {
        self->request(pods, caf::infinite, batch)
            .then(
                [=](std::vector<command_reply>& replies) {
                  for (std::size_t i = 0; i < replies.size() && i < batch.commands.size(); ++i)
                    if (replies[i].ok() && replies[i].seq)
                      acknowledged_.push_back(
                          {object_kind::pod, batch.commands[i].target, replies[i].seq, step});
                },
                [](caf::error&) {});
      });
    });
  }
}

}  // namespace capstan::simulation
