#include "bench/scheduling_run.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/master/master.hpp"
#include "actors/nodes/join_checks.hpp"
#include "api/credentials.hpp"
#include "bench/object_footprint.hpp"
#include "bench/process_stats.hpp"
#include "bench/raft_replicas.hpp"
#include "common/join_proof.hpp"
#include "common/pki.hpp"
#include "common/process.hpp"
#include "messages/node_interfaces.hpp"
#include "nodeagent/bootstrap.hpp"
#include "nodeagent/simulated_nodes.hpp"

namespace capstan::bench {

namespace {

using clock_type = std::chrono::steady_clock;

// Each simulated node's pod capacity (kubelet's default max-pods).
constexpr int pods_per_node = 110;

messages::replication_controller bench_rc(int index, int replicas) {
  messages::replication_controller rc;
  rc.metadata.name = "web-" + std::to_string(index);
  rc.metadata.namespace_ = "default";
  rc.spec.replicas = replicas;
  rc.spec.selector = {{"app", rc.metadata.name}};
  messages::pod_template_spec t;
  t.metadata.labels = rc.spec.selector;
  messages::container c;
  c.name = "web";
  c.image = "nginx";
  c.ports.push_back({"", 0, 80, "TCP", ""});
  c.resources.requests["cpu"] = messages::quantity::from_milli(10);
  c.resources.requests["memory"] = messages::quantity::from_bytes(16 << 20);
  t.spec.containers.push_back(c);
  rc.spec.template_ = t;
  return rc;
}

// Per pod, from the journal: when it was created, bound, first Running (record times, ns).
struct pod_times {
  int64_t created = 0, bound = 0, running = 0;
};

struct tracker {
  std::mutex mutex;
  std::condition_variable changed;
  // Bytes this tracker allocated (its table and the names it keeps), counted so that the
  // figures of the master's memory leave them out.
  uint64_t bytes = 0;
  std::unordered_map<std::string, pod_times, std::hash<std::string>, std::equal_to<std::string>,
                     counted_allocator<std::pair<const std::string, pod_times>>>
      pods{0, std::hash<std::string>{}, std::equal_to<std::string>{},
           counted_allocator<std::pair<const std::string, pod_times>>{&bytes}};
  int bound = 0, running = 0;
  int milestone_pods = 0;              // 0: no milestones
  std::vector<int64_t> milestone_at;   // record time (ns) of the bind that made each milestone

  void take(const std::vector<messages::journal_record>& records) {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& r : records) {
      if (r.kind != messages::object_kind::pod)
        continue;
      auto [entry, added] = pods.try_emplace(r.name);
      if (added && entry->first.capacity() > 15)  // beyond the string's own 15 characters
        bytes += allocation_size(entry->first.capacity() + 1);
      auto& t = entry->second;
      if (std::holds_alternative<messages::object_created>(r.event)) {
        t.created = r.time_nanos;
      } else if (std::holds_alternative<messages::pod_bound>(r.event)) {
        if (!t.bound) {
          ++bound;
          if (milestone_pods > 0 && bound % milestone_pods == 0)
            milestone_at.push_back(r.time_nanos);
        }
        t.bound = r.time_nanos;
      } else if (auto* s = std::get_if<messages::pod_status_changed>(&r.event)) {
        if (!t.running && s->status.phase == "Running") {
          t.running = r.time_nanos;
          ++running;
        }
      }
    }
    changed.notify_all();
  }
};

latency_summary summarize(std::vector<double> ms) {
  latency_summary s;
  if (ms.empty())
    return s;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  s.p50_ms = at(0.50);
  s.p90_ms = at(0.90);
  s.p99_ms = at(0.99);
  s.max_ms = ms.back();
  return s;
}

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = common::start_process(argv);
  if (pid < 0)
    throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

}  // namespace

scheduling_result run_scheduling(const scheduling_options& o) {
  if (o.nodes <= 0 || o.pods <= 0 || o.rc_size <= 0 || o.remote_procs < 0)
    throw std::runtime_error("counts must be positive");
  if (o.members < 1 || o.members > 7)
    throw std::runtime_error("1 to 7 members");
  if (static_cast<int64_t>(o.nodes) * pods_per_node < o.pods)
    throw std::runtime_error(std::to_string(o.pods) + " pods do not fit on " +
                             std::to_string(o.nodes) + " nodes of " +
                             std::to_string(pods_per_node) + " pods each");
  if (o.remote_procs > 0 && o.capstan_binary.empty())
    throw std::runtime_error("remote node processes need the capstan binary");
  auto dir =
      std::filesystem::temp_directory_path() / ("capstan-sched-bench-" + std::to_string(getpid()));
  scheduling_result result;
  result.options = o;
  std::vector<pid_t> children;
  // Whatever happens (a run that gives up throws), the node processes and the data dir go.
  struct cleanup {
    std::vector<pid_t>& children;
    std::filesystem::path dir;
    ~cleanup() {
      for (auto pid : children)
        kill(pid, SIGTERM);
      for (auto pid : children)
        common::wait_for_exit(pid);
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } on_exit{children, dir};
  {
    // The cluster's certificates, as the master command makes them: the join port speaks
    // mutual TLS, the remote nodes' credentials are provisioned from the node CA beforehand
    // (what their bootstrap would fetch), so node processes start without an API server.
    std::filesystem::create_directories(dir);
    auto tls = api::ensure_tls(dir.string(), {"127.0.0.1"});
    api::ensure_node_authority(dir.string());
    common::load_or_create_join_token(dir.string(), tls.ca_cert_pem);
    caf::actor_system_config cfg;
    cfg.load<caf::io::middleman>();
    cfg.load<caf::openssl::manager>();
    messages::add_node_protocol_types(cfg);
    cfg.openssl_certificate = (dir / "tls" / "server.crt").string();
    cfg.openssl_key = (dir / "tls" / "server.key").string();
    cfg.openssl_cafile = (dir / "tls" / "client-ca.crt").string();
    caf::actor_system system{cfg};
    actors::master_config config;
    config.data_dir = dir.string();
    // The other members, beside the master; they wait 10 s before they stand for election
    // (member 1 1 s), so the master, whose control plane is what is measured, leads.
    std::vector<raft_replica> replicas;
    if (o.members > 1) {
      auto ca =
          common::certificate_authority::load_or_create((dir / "tls").string(), "ca", "capstan-ca");
      auto members = loopback_members(o.members);
      for (std::size_t i = 1; i < members.size(); ++i)
        replicas.push_back(start_replica(dir / ("member-" + std::to_string(members[i].id)),
                                         members[i], members, member_tls(ca, members[i].id),
                                         std::chrono::seconds(10)));
      config.membership.member_id = 1;
      config.membership.peer_address = members[0].address;
      config.membership.tls = member_tls(ca, 1);
      config.membership.initial_members = members;
    }
    config.snapshot_every = o.snapshot_every;
    // Room for a /24 per node (values in the journal only: nothing is routed).
    config.allocators.cluster_cidr = "10.0.0.0/8";
    config.lifecycle.grace = std::chrono::minutes(10);  // heartbeats are not what is measured
    actors::master master(system, config);
    if (o.members > 1) {
      // The lead taken, and the namespaces the new leader makes made.
      bool leads = master.model().wait_until(
          [&](const store::cluster_state& s) {
            return s.find(actors::object_kind::namespace_, {"", "default"}) != nullptr;
          },
          std::chrono::seconds(60));
      if (!leads || !master.leading())
        throw std::runtime_error("the master did not take the lead of its " +
                                 std::to_string(o.members) + " members within 60 s");
    }
    // In-process nodes: sessions of at most max_nodes_per_join nodes (the gateway refuses a
    // larger join), told to stop however this run ends, or the actor system would wait for them
    // for ever when it is destroyed.
    std::vector<nodeagent::local_node_agent_actor> in_process;
    struct stop_sessions {
      std::vector<nodeagent::local_node_agent_actor>& sessions;
      ~stop_sessions() {
        for (auto& session : sessions)
          caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
      }
    } stop_in_process{in_process};
    nodeagent::simulated_nodes_config simulated;
    simulated.cpu_milli = 32000;
    simulated.memory_bytes = 128LL << 30;
    simulated.max_pods = pods_per_node;
    if (o.remote_procs == 0) {
      const int per_session = static_cast<int>(actors::max_nodes_per_join);
      for (int first = 1; first <= o.nodes; first += per_session) {
        simulated.first_index = first;
        simulated.count = std::min(per_session, o.nodes - first + 1);
        if (o.progress)
          std::fprintf(stderr, "  nodes %d..%d: issuing credentials and joining\n", first,
                       first + simulated.count - 1);
        in_process.push_back(nodeagent::spawn_simulated_nodes(
            system, master.node_gateway(), master.node_authority(), simulated));
      }
    } else {
      auto port = caf::openssl::publish(master.node_gateway(), 0, "127.0.0.1", true);
      if (!port)
        throw std::runtime_error("cannot publish the node gateway");
      for (int p = 0; p < o.remote_procs; ++p) {
        int count = o.nodes / o.remote_procs + (p < o.nodes % o.remote_procs ? 1 : 0);
        std::string prefix = "proc" + std::to_string(p + 1) + "-node";
        auto proc_dir = dir / ("proc" + std::to_string(p + 1));
        for (int i = 1; i <= count; ++i) {
          std::string name = prefix + std::to_string(i);
          auto [certificate, key] =
              nodeagent::issue_node_credentials(master.node_authority(), name);
          nodeagent::store_node_credentials((proc_dir / "pki" / name).string(), tls.ca_cert_pem,
                                            certificate, key);
        }
        children.push_back(
            spawn({o.capstan_binary, "node", "--master", "127.0.0.1:" + std::to_string(*port),
                   "--token-file", (dir / "node-token").string(), "--runtime", "fake", "--count",
                   std::to_string(count), "--name", prefix, "--data", proc_dir.string(),
                   "--heartbeat", "30s"}));
      }
    }
    // 300 s, or 100 s per 10,000 nodes (they take about 2 ms of TLS work each here).
    const auto registration_limit = std::chrono::seconds(std::max(300, o.nodes / 100));
    bool nodes_ready = master.model().wait_until(
        [&](const store::cluster_state& s) {
          return static_cast<int>(s.of(actors::object_kind::node).size()) == o.nodes;
        },
        registration_limit);
    if (!nodes_ready)
      throw std::runtime_error("the nodes did not all register within " +
                               std::to_string(registration_limit.count()) + " s");
    if (o.progress)
      std::fprintf(stderr, "  %d nodes registered\n", o.nodes);
    result.rss_before_pods_mib = current_rss_mib();
    result.heap_before_pods_bytes = heap_allocated_bytes();
    result.journal_before_pods = master.journal_memory();
    const uint64_t seq_before = master.model().seq();
    const auto journal_before = master.journal_stats();
    // Shared with the watch's sink: on an error path the journal may still deliver to it after
    // this scope's `track` reference is gone (unwatch does not wait for a delivery under way).
    auto tracked = std::make_shared<tracker>();
    tracker& track = *tracked;
    track.milestone_pods = o.milestone_pods;
    auto watch = master.watch(seq_before + 1,
                              [tracked](const auto& records) { tracked->take(records); });

    auto start = clock_type::now();
    const int64_t start_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    // The RCs are offered from a thread of their own, so that this one sees the run as it goes
    // (progress, milestones and their RSS) instead of after the last RC is created.
    struct offer_state {
      std::atomic<bool> stop{false};
      std::mutex mutex;
      bool done = false;
      std::string error;
    } offer;
    std::thread offerer([&] {
      std::string error;
      try {
        int rcs = (o.pods + o.rc_size - 1) / o.rc_size;
        for (int i = 0; i < rcs && !offer.stop; ++i) {
          if (o.rate > 0) {  // RC i is due when i * rc_size pods have been offered at `rate`
            auto due = start + std::chrono::duration_cast<clock_type::duration>(
                                   std::chrono::duration<double>(i * double(o.rc_size) / o.rate));
            while (!offer.stop && clock_type::now() < due)  // in steps: a stop comes soon
              std::this_thread::sleep_for(
                  std::min<clock_type::duration>(due - clock_type::now(),
                                                 std::chrono::milliseconds(50)));
          }
          int replicas = std::min(o.rc_size, o.pods - i * o.rc_size);
          auto reply = master.create(bench_rc(i, replicas), "bench");
          if (!reply.ok()) {
            error = "creating RC " + std::to_string(i) + ": " + reply.error->message;
            break;
          }
        }
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "creating the RCs failed";
      }
      {
        std::lock_guard<std::mutex> lock(offer.mutex);
        offer.done = true;
        offer.error = std::move(error);
      }
      std::lock_guard<std::mutex> lock(track.mutex);
      track.changed.notify_all();
    });
    struct join_offerer {
      std::thread& thread;
      offer_state& offer;
      ~join_offerer() {
        offer.stop = true;
        thread.join();
      }
    } offer_joined{offerer, offer};
    auto offer_failed = [&] {
      std::lock_guard<std::mutex> lock(offer.mutex);
      return offer.done && !offer.error.empty() ? offer.error : std::string();
    };
    std::unique_lock<std::mutex> lock(track.mutex);
    auto last_print = start;
    const double give_up_seconds = std::max(600.0, o.pods / 1000.0);
    while (track.running < o.pods) {
      track.changed.wait_for(lock, std::chrono::milliseconds(200));
      if (auto error = offer_failed(); !error.empty())
        throw std::runtime_error(error);
      double t = std::chrono::duration<double>(clock_type::now() - start).count();
      if (track.bound >= o.pods && result.bound_seconds == 0)
        result.bound_seconds = t;
      // Every milestone passed since the last wake-up, timed by its bind's record time; the
      // pace is over the pods since the last milestone of an earlier time (several can fall in
      // one journal batch). The RSS is read now.
      while (result.milestones.size() < track.milestone_at.size()) {
        std::size_t index = result.milestones.size();
        bound_milestone m;
        m.pods = static_cast<int>(index + 1) * o.milestone_pods;
        m.seconds = (track.milestone_at[index] - start_nanos) / 1e9;
        double since = 0;
        int pods_since = m.pods;
        for (auto it = result.milestones.rbegin(); it != result.milestones.rend(); ++it)
          if (it->seconds < m.seconds) {
            since = it->seconds;
            pods_since = m.pods - it->pods;
            break;
          }
        m.bound_per_second = m.seconds > since ? pods_since / (m.seconds - since) : 0;
        m.rss_mib = current_rss_mib();
        result.milestones.push_back(m);
        if (o.progress)
          std::fprintf(stderr,
                       "  %6.1f s: %d pods bound, %.0f pods/s since the last %d, process RSS %ld "
                       "MiB\n",
                       m.seconds, m.pods, m.bound_per_second, pods_since, m.rss_mib);
      }
      if (o.progress && clock_type::now() - last_print >= std::chrono::seconds(1)) {
        last_print = clock_type::now();
        std::fprintf(stderr, "  %6.1f s: %d/%d pods bound, %d running\n", t, track.bound, o.pods,
                     track.running);
      }
      if (t > give_up_seconds)
        throw std::runtime_error("gave up after " + std::to_string(int(give_up_seconds)) +
                                 " s: " + std::to_string(track.bound) + " pods bound, " +
                                 std::to_string(track.running) + " running");
    }
    result.running_seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    if (result.bound_seconds == 0)
      result.bound_seconds = result.running_seconds;
    std::vector<double> to_bound, to_running;
    for (const auto& [name, t] : track.pods) {
      if (t.created && t.bound)
        to_bound.push_back((t.bound - t.created) / 1e6);
      if (t.created && t.running)
        to_running.push_back((t.running - t.created) / 1e6);
    }
    lock.unlock();
    master.unwatch(watch);
    result.to_bound = summarize(std::move(to_bound));
    result.to_running = summarize(std::move(to_running));
    result.bound_per_second = o.pods / result.bound_seconds;
    result.running_per_second = o.pods / result.running_seconds;
    auto journal = master.journal_stats();
    result.journal_events = master.model().seq() - seq_before;
    result.journal_bytes = journal.bytes - journal_before.bytes;
    result.records_per_batch = double(journal.records - journal_before.records) /
                               std::max<uint64_t>(1, journal.batches - journal_before.batches);
    result.peak_rss_mib = peak_rss_mib();
    result.rss_after_pods_mib = current_rss_mib();
    result.heap_after_pods_bytes = heap_allocated_bytes();
    result.journal_after_pods = master.journal_memory();
    {
      std::lock_guard<std::mutex> tracker_lock(track.mutex);
      result.tracker_bytes = track.bytes;
    }
    const auto snapshots = master.snapshots_written();
    result.snapshots = snapshots.written;
    result.snapshot_longest_pause_ms = snapshots.longest_pause_seconds * 1e3;
    result.snapshot_longest_seconds = snapshots.longest_seconds;
    result.snapshot_process_private_mib = static_cast<long>(snapshots.most_private_bytes >> 20);
    if (o.footprint)
      master.model().read([&](const store::cluster_state& s) {
        result.footprint =
            "read model, pods:\n" + measure_table(s.of(actors::object_kind::pod)).report(3) +
            "read model, nodes:\n" +
            measure_table(s.of(actors::object_kind::node)).report(2, "node");
      });
    for (auto pid : children)
      kill(pid, SIGTERM);
    for (auto pid : children)
      common::wait_for_exit(pid);
    children.clear();
    for (auto& session : in_process)
      caf::anon_send_exit(session, caf::exit_reason::user_shutdown);
    in_process.clear();
    master.stop();
  }
  result.journal_events_per_second = result.journal_events / result.running_seconds;
  if (o.etcd && result.journal_events > 0) {
    if (o.progress)
      std::fprintf(stderr, "  etcd anchor: %llu durable writes of %llu bytes, %d clients...\n",
                   static_cast<unsigned long long>(result.journal_events),
                   static_cast<unsigned long long>(result.journal_bytes / result.journal_events),
                   o.etcd_clients);
    etcd_options e;
    e.writes = result.journal_events;
    e.value_bytes = result.journal_bytes / result.journal_events;
    e.clients = o.etcd_clients;
    e.members = o.members;
    e.data_dir =
        std::filesystem::temp_directory_path() / ("capstan-etcd-bench-" + std::to_string(getpid()));
    result.etcd = run_etcd_anchor(e);
  } else {
    result.etcd.skipped = "not asked for (--no-etcd)";
  }
  return result;
}

}  // namespace capstan::bench
