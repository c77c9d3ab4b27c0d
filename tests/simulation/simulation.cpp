#include "tests/simulation/simulation.hpp"

#include <cstdio>

#include "tests/simulation/invariants.hpp"

namespace capstan::simulation {

using namespace messages;

namespace {

// Fault probabilities per step (faults of nodes' messages: per message).
constexpr double journal_error_chance = 0.04;  // the next 1-3 commits refuse their appends
constexpr double journal_stall_chance = 0.04;  // commits wait 1-3 steps
constexpr double node_silence_chance = 0.04;   // a node stops heartbeating and reporting
constexpr double node_return_chance = 0.15;    // a silent node comes back
constexpr double restart_chance = 0.03;        // the master crashes and restarts
constexpr double duplicate_chance = 0.08;      // a heartbeat or status report is sent twice
constexpr double delay_chance = 0.08;          // ... or held back 1-20 simulated seconds
// Settled: nothing journaled for this many rounds of 5 simulated seconds, longer than any
// timer of the control plane (node grace 40 s, pod GC of a missing node 40 s).
constexpr int settled_rounds = 12;

// The workload: what clients do, drawn from the seed against the current read model.
class workload {
public:
  explicit workload(sim_cluster& c) : c_(c) {}

  // Creates that failed with an internal error (the journal's) and that their client sends
  // again, as a client retries: the same object, which must be created once or refused as
  // AlreadyExists.
  void retry_failed_creates() {
    auto again = std::move(retries_);
    retries_.clear();
    for (auto& object : again) {
      ++c_.faults["client retried a failed create"];
      create(std::move(object));
    }
  }

  void act() {
    static const struct {
      int weight;
      void (workload::*action)();
    } actions[] = {
        {2, &workload::create_namespace}, {1, &workload::delete_namespace},
        {4, &workload::create_rc},        {5, &workload::scale_rc},
        {2, &workload::delete_rc},        {3, &workload::create_service},
        {1, &workload::update_service},   {2, &workload::delete_service},
        {3, &workload::delete_pod},       {1, &workload::add_node},
        {1, &workload::delete_node},
    };
    int total = 0;
    for (const auto& a : actions)
      total += a.weight;
    int roll = static_cast<int>(c_.pick(total));
    for (const auto& a : actions) {
      if ((roll -= a.weight) < 0) {
        (this->*a.action)();
        return;
      }
    }
  }

  std::string last;  // what the last action did, for verbose runs

private:
  void create(any_object object) {
    c_.create(object, [this, object](const command_reply& r) {
      if (!r.ok() && r.error->code == actors::error_code::internal && c_.chance(0.5))
        retries_.push_back(object);
    });
  }
  std::vector<object_key> existing(object_kind kind, bool skip_system = false) {
    std::vector<object_key> out;
    c_.model().read([&](const store::cluster_state& s) {
      for (const auto& [key, o] : s.of(kind))
        if (!skip_system || (key.name != "default" && key.name != "kube-system"))
          out.push_back(key);
    });
    return out;
  }
  std::string any_namespace() {
    auto all = existing(object_kind::namespace_);
    // Now and then a namespace that is gone or never was: admission must refuse it.
    if (all.empty() || c_.chance(0.05))
      return "ns-" + std::to_string(c_.pick(4));
    return all[c_.pick(all.size())].name;
  }
  template <class Op>
  void on_existing(object_kind kind, const char* verb, Op make_op, bool skip_system = false) {
    auto all = existing(kind, skip_system);
    if (all.empty())
      return;
    auto key = all[c_.pick(all.size())];
    last = std::string(verb) + " " + key.namespace_ + "/" + key.name;
    c_.command(actors::object_command{kind, key, "sim:client", make_op(key)});
  }

  void create_namespace() {
    namespace_object ns;
    ns.metadata.name = "ns-" + std::to_string(c_.pick(4));
    last = "create namespace " + ns.metadata.name;
    create(ns);
  }
  void delete_namespace() {
    on_existing(object_kind::namespace_, "delete namespace",
                [](const object_key&) { return actors::delete_op{}; }, true);
  }
  void create_rc() {
    replication_controller rc;
    rc.metadata.name = "rc-" + std::to_string(rcs_++);
    rc.metadata.namespace_ = any_namespace();
    rc.spec.replicas = static_cast<int32_t>(c_.pick(4));
    rc.spec.selector = {{"app", rc.metadata.name}};
    rc.spec.template_.emplace();
    rc.spec.template_->metadata.labels = {{"app", rc.metadata.name}};
    container box;
    box.name = "c";
    box.image = "busybox";
    box.resources.requests["cpu"] = quantity::from_milli(100 + 100 * c_.pick(10));
    rc.spec.template_->spec.containers.push_back(box);
    last = "create rc " + rc.metadata.namespace_ + "/" + rc.metadata.name + " replicas " +
           std::to_string(*rc.spec.replicas);
    create(rc);
  }
  void scale_rc() {
    const int32_t to = static_cast<int32_t>(c_.pick(6));
    on_existing(object_kind::replication_controller, ("scale to " + std::to_string(to)).c_str(),
                [to](const object_key&) { return actors::scale_op{to, std::nullopt, ""}; });
  }
  void delete_rc() {
    on_existing(object_kind::replication_controller, "delete rc",
                [](const object_key&) { return actors::delete_op{}; });
  }
  service make_service() {
    service s;
    s.metadata.name = "svc-" + std::to_string(services_++);
    s.metadata.namespace_ = any_namespace();
    s.spec.selector = {{"app", "rc-" + std::to_string(c_.pick(rcs_ + 1))}};
    service_port port;
    port.port = 80;
    if (c_.chance(0.5)) {
      s.spec.type = "NodePort";
      // Asked-for ports from a small range, so that some collide.
      if (c_.chance(0.5))
        port.node_port = 30000 + static_cast<int32_t>(c_.pick(6));
    }
    if (c_.chance(0.15))
      s.spec.cluster_ip = "10.254.0." + std::to_string(1 + c_.pick(6));
    s.spec.ports.push_back(port);
    return s;
  }
  void create_service() {
    auto s = make_service();
    last = "create service " + s.metadata.namespace_ + "/" + s.metadata.name + " " +
           s.spec.type + " " + std::to_string(s.spec.ports[0].node_port);
    create(s);
  }
  void update_service() {
    auto all = existing(object_kind::service);
    if (all.empty())
      return;
    auto key = all[c_.pick(all.size())];
    auto current = c_.model().get(object_kind::service, key);
    if (!current)
      return;
    auto s = std::get<service>(*current);
    s.spec.type = "NodePort";
    for (auto& p : s.spec.ports)
      p.node_port = c_.chance(0.5) ? 0 : 30000 + static_cast<int32_t>(c_.pick(6));
    if (c_.chance(0.5))
      s.metadata.resource_version.clear();  // else it may be stale: a Conflict
    last = "update service " + key.namespace_ + "/" + key.name;
    c_.command(actors::object_command{object_kind::service, key, "sim:client",
                                      actors::update_op{any_object(std::move(s))}});
  }
  void delete_service() {
    on_existing(object_kind::service, "delete service",
                [](const object_key&) { return actors::delete_op{}; });
  }
  void delete_pod() {
    on_existing(object_kind::pod, "delete pod",
                [](const object_key&) { return actors::delete_op{}; });
  }
  void add_node() {
    if (c_.nodes.size() >= 6)
      return;
    c_.nodes.push_back({"node" + std::to_string(c_.nodes.size() + 1)});
    last = "add node " + c_.nodes.back().name;
  }
  void delete_node() {
    std::vector<sim_node*> alive;
    for (auto& n : c_.nodes)
      if (n.wanted)
        alive.push_back(&n);
    if (alive.size() <= 1)
      return;
    auto* n = alive[c_.pick(alive.size())];
    n->wanted = false;
    last = "delete node " + n->name;
    c_.command(actors::object_command{object_kind::node, {"", n->name}, "sim:client",
                                      actors::delete_op{}});
  }

  sim_cluster& c_;
  std::vector<any_object> retries_;
  int rcs_ = 0;
  int services_ = 0;
};

class seed_run {
public:
  explicit seed_run(const simulation_options& o) : options_(o), c_(o.seed), work_(c_) {
    result_.seed = o.seed;
  }

  simulation_result run() {
    const int initial_nodes = 2 + static_cast<int>(c_.pick(3));
    for (int i = 1; i <= initial_nodes; ++i)
      c_.nodes.push_back({"node" + std::to_string(i)});
    for (int step = 1; step <= options_.steps && result_.ok(); ++step) {
      c_.step = step;
      one_step(step);
      if (result_.ok() && (step % options_.settle_every == 0 || step == options_.steps))
        settle(step);
      result_.steps = step;
    }
    result_.messages = c_.messages_run();
    result_.records = c_.journal().records().size();
    result_.acknowledged = c_.acknowledged().size();
    result_.faults = c_.faults;
    if (c_.journal().refused_by_check)
      result_.faults["append refused by the pre-write check"] += c_.journal().refused_by_check;
    return result_;
  }

private:
  void fail(int step, const std::string& what) {
    if (result_.ok())
      result_.failure =
          "seed " + std::to_string(options_.seed) + " step " + std::to_string(step) + ": " + what;
  }
  bool check(int step, const std::string& outcome) {
    ++result_.checks;
    if (!outcome.empty())
      fail(step, outcome);
    return outcome.empty();
  }

  void inject_faults(int step) {
    auto& faults = c_.journal().faults;
    if (c_.chance(journal_error_chance)) {
      faults.failing_commits = 1 + static_cast<int>(c_.pick(3));
      ++c_.faults["journal write error"];
    }
    if (faults.stalled && step >= stall_until_) {
      c_.resume_journal();
    } else if (!faults.stalled && c_.chance(journal_stall_chance)) {
      faults.stalled = true;
      stall_until_ = step + 1 + static_cast<int>(c_.pick(3));
      ++c_.faults["journal stall"];
    }
    for (auto& n : c_.nodes) {
      if (n.silent && c_.chance(node_return_chance)) {
        n.silent = false;
        n.next_heartbeat = 0;
      } else if (!n.silent && n.wanted && c_.chance(node_silence_chance / c_.nodes.size())) {
        n.silent = true;
        ++c_.faults["node silent"];
      }
    }
  }

  // After a step: what must hold at any moment.
  void check_always(int step) {
    if (!check(step, model_matches_journal(c_.model(), c_.journal().records(), replayed_)))
      return;
    std::string unique;
    c_.model().read([&](const store::cluster_state& s) { unique = allocations_unique(s); });
    if (!check(step, unique))
      return;
    check(step, acknowledged_in_journal(c_.acknowledged(), acks_checked_, c_.journal().records()));
    acks_checked_ = c_.acknowledged().size();
  }

  // Verbose runs: every record journaled since the last call, as an audit shows it.
  void print_new_records() {
    const auto& log = c_.journal().records();
    for (; printed_ < log.size(); ++printed_) {
      const auto& r = log[printed_];
      std::fprintf(stderr, "    %llu %s %s/%s by %s: %s\n", static_cast<unsigned long long>(r.seq),
                   event_name(r).c_str(), r.namespace_.c_str(), r.name.c_str(), r.cause.c_str(),
                   change_summary(r).c_str());
    }
  }

  void restart(int step) {
    if (options_.verbose)
      std::fprintf(stderr, "  master restart at step %d\n", step);
    ++c_.faults["master restart"];
    std::size_t durable = c_.pick(c_.journal().pending() + 1);
    if (durable)
      ++c_.faults["crash with synced, unacknowledged appends"];
    auto [live, replayed] = c_.restart_master(durable);
    check(step, compare_states(replayed, live).empty()
                    ? ""
                    : "restart: the replayed journal differs from the live state: " +
                          compare_states(replayed, live));
  }

  void one_step(int step) {
    inject_faults(step);
    work_.retry_failed_creates();
    const int actions = 1 + static_cast<int>(c_.pick(3));
    std::string did;
    for (int i = 0; i < actions; ++i) {
      work_.last.clear();
      work_.act();
      if (!work_.last.empty())
        did += (did.empty() ? "" : "; ") + work_.last;
    }
    c_.node_duties(duplicate_chance, delay_chance);
    c_.run(c_.pick(400));
    if (c_.chance(restart_chance))
      restart(step);
    c_.advance(std::chrono::seconds(c_.pick(8)));
    if (options_.verbose) {
      std::fprintf(stderr, "seed %llu step %d seq %llu: %s\n",
                   static_cast<unsigned long long>(options_.seed), step,
                   static_cast<unsigned long long>(c_.model().seq()), did.c_str());
      print_new_records();
    }
    check_always(step);
  }

  // Faults end, every node comes back, and the master runs until nothing changes for a while;
  // then the settled invariants must hold.
  void settle(int step) {
    c_.journal().faults.failing_commits = 0;
    c_.resume_journal();
    for (auto& n : c_.nodes)
      if (n.silent) {
        n.silent = false;
        n.next_heartbeat = 0;
      }
    uint64_t last_seq = ~0ULL;
    int quiet = 0;
    for (int round = 0; quiet < settled_rounds; ++round) {
      if (round == 300) {
        fail(step, "did not settle in 300 rounds (1,500 simulated seconds)");
        return;
      }
      c_.node_duties(0, 0);
      for (int n = 0; c_.run(100000) == 100000; ++n)
        if (n == 20) {
          fail(step, "the actors never went idle (2,000,000 messages in one round; then " +
                         c_.busiest(1000) + ")");
          return;
        }
      c_.advance(std::chrono::seconds(5));
      quiet = c_.model().seq() == last_seq ? quiet + 1 : 0;
      last_seq = c_.model().seq();
    }
    check_always(step);
    if (!result_.ok())
      return;
    std::vector<std::string> alive;
    for (const auto& n : c_.nodes)
      if (n.wanted)
        alive.push_back(n.name);
    c_.model().read([&](const store::cluster_state& s) {
      check(step, rcs_at_replicas(s)) && check(step, bound_pods_on_existing_nodes(s)) &&
          check(step, endpoints_match_ready_pods(s)) && check(step, rc_status_current(s)) &&
          check(step, nodes_ready(s, alive));
    });
  }

  simulation_options options_;
  simulation_result result_;
  sim_cluster c_;
  workload work_;
  store::cluster_state replayed_;  // the journal replayed so far
  std::size_t acks_checked_ = 0;
  int stall_until_ = 0;
  std::size_t printed_ = 0;  // records printed so far (verbose)
};

}  // namespace

simulation_result run_seed(const simulation_options& options) {
  return seed_run(options).run();
}

}  // namespace capstan::simulation
