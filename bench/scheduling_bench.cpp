// scheduling_bench: pods bound per second by a master with a synced journal, on simulated
// nodes (the fake runtime reports each bound pod Running at once). Prints a progress line
// each second, a table, and one JSON line.
// Usage: scheduling_bench [--nodes N] [--pods M] [--rc-size K] [--quick]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/process_stats.hpp"

#include "actors/master/master.hpp"
#include "nodeagent/fake_nodes.hpp"

namespace {

using namespace capstan;
using clock_type = std::chrono::steady_clock;

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

}  // namespace

int main(int argc, char** argv) {
  int nodes = 1000, pods = 50000, rc_size = 100;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (a == "--nodes")
      nodes = next();
    else if (a == "--pods")
      pods = next();
    else if (a == "--rc-size")
      rc_size = next();
    else if (a == "--quick") {
      nodes = 20;
      pods = 500;
      rc_size = 50;
    } else {
      std::cerr << "usage: scheduling_bench [--nodes N] [--pods M] [--rc-size K] [--quick]\n";
      return 2;
    }
  }
  if (nodes <= 0 || pods <= 0 || rc_size <= 0) {
    std::cerr << "scheduling_bench: counts must be positive\n";
    return 2;
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("capstan-sched-bench-" + std::to_string(getpid()));
  nlohmann::json result;
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    actors::master_config config;
    config.data_dir = dir.string();
    config.snapshot_every = 0;
    // Room for a /24 per node (values in the journal only: nothing is routed).
    config.allocators.cluster_cidr = "10.0.0.0/8";
    actors::master master(system, config);
    nodeagent::fake_nodes_config fake;
    fake.count = nodes;
    fake.cpu_milli = 32000;
    fake.memory_bytes = 128LL << 30;
    fake.max_pods = 110;
    auto runtime =
        nodeagent::spawn_fake_nodes(system, master.model(),
                                    {master.registry(actors::object_kind::node),
                                     master.registry(actors::object_kind::pod), master.lifecycle()},
                                    fake);
    master.subscribe(runtime);
    auto count_ready_nodes = [](const store::cluster_state& s) {
      return static_cast<int>(s.of(actors::object_kind::node).size());
    };
    master.model().wait_until(
        [&](const store::cluster_state& s) { return count_ready_nodes(s) == nodes; },
        std::chrono::minutes(5));
    const uint64_t seq_before = master.model().seq();
    const auto journal_before = master.journal_stats();

    auto start = clock_type::now();
    int rcs = (pods + rc_size - 1) / rc_size;
    for (int i = 0; i < rcs; ++i) {
      int replicas = std::min(rc_size, pods - i * rc_size);
      auto reply = master.create(bench_rc(i, replicas), "bench");
      if (!reply.ok()) {
        std::cerr << "scheduling_bench: " << reply.error->message << "\n";
        return 1;
      }
    }
    double bound_at = 0, running_at = 0;
    int bound = 0, running = 0;
    auto last_print = start;
    while (running < pods) {
      // Sampled every 10 ms: a scan after every batch would slow the master it measures.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      master.model().read([&](const store::cluster_state& s) {
        int b = 0, r = 0;
        for (const auto& [k, o] : s.of(actors::object_kind::pod)) {
          const auto& p = std::get<messages::pod>(o);
          b += !p.spec.node_name.empty();
          r += p.status.phase == "Running";
        }
        bound = b;
        running = r;
      });
      double t = std::chrono::duration<double>(clock_type::now() - start).count();
      if (bound >= pods && bound_at == 0)
        bound_at = t;
      if (clock_type::now() - last_print >= std::chrono::seconds(1)) {
        last_print = clock_type::now();
        std::fprintf(stderr, "  %6.1f s: %d/%d pods bound, %d running\n", t, bound, pods, running);
      }
      if (t > 600) {
        std::cerr << "scheduling_bench: gave up after 600 s\n";
        return 1;
      }
    }
    running_at = std::chrono::duration<double>(clock_type::now() - start).count();
    if (bound_at == 0)
      bound_at = running_at;
    auto journal = master.journal_stats();
    uint64_t events = master.model().seq() - seq_before;
    std::printf("\nscheduling: %d nodes, %d pods in %d RCs of %d, journal synced\n", nodes, pods,
                rcs, rc_size);
    std::printf("  %-34s %10.0f pods/s  (%.2f s)\n", "created -> bound (all pods)", pods / bound_at,
                bound_at);
    std::printf("  %-34s %10.0f pods/s  (%.2f s)\n", "created -> running (all pods)",
                pods / running_at, running_at);
    std::printf("  %-34s %10llu events, %.1f per synced batch\n", "journal",
                static_cast<unsigned long long>(events),
                double(journal.records - journal_before.records) /
                    std::max<uint64_t>(1, journal.batches - journal_before.batches));
    std::printf("  %-34s %10ld MiB\n", "peak RSS", bench::peak_rss_mib());
    result = {
        {"bench", "scheduling"},
        {"nodes", nodes},
        {"pods", pods},
        {"rc_size", rc_size},
        {"bound_per_second", pods / bound_at},
        {"running_per_second", pods / running_at},
        {"journal_events", events},
        {"journal_bytes", journal.bytes - journal_before.bytes},
        {"records_per_batch", double(journal.records - journal_before.records) /
                                  std::max<uint64_t>(1, journal.batches - journal_before.batches)},
        {"peak_rss_mib", bench::peak_rss_mib()}};
    caf::anon_send_exit(runtime, caf::exit_reason::user_shutdown);
    master.stop();
  }
  std::filesystem::remove_all(dir);
  std::cout << result.dump() << std::endl;
  return 0;
}
