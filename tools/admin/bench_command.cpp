#include "tools/admin/bench_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "bench/scheduling_run.hpp"
#include "common/process.hpp"
#include "tools/cli/cli.hpp"

namespace capstan::admin {

namespace {

std::vector<int> parse_list(const std::string& v) {
  std::vector<int> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ','))
    out.push_back(std::atoi(item.c_str()));
  return out;
}

std::string self_path() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<std::size_t>(n)) : "capstan";
}

int plot(const std::vector<bench::scheduling_result>& runs, const std::string& png) {
  std::string data = png + ".dat";
  {
    std::ofstream out(data);
    out << "# nodes bound_per_second p99_bound_ms running_per_second\n";
    for (const auto& r : runs)
      out << r.options.nodes << " " << r.bound_per_second << " " << r.to_bound.p99_ms << " "
          << r.running_per_second << "\n";
  }
  std::string script = png + ".gp";
  {
    std::ofstream out(script);
    out << "set terminal pngcairo size 900,500\nset output '" << png << "'\n"
        << "set title 'capstan scheduling: " << runs.front().options.pods
        << " pods, journal synced'\nset xlabel 'nodes'\nset ylabel 'pods/s'\n"
        << "set y2label 'p99 created->bound (ms)'\nset y2tics\nset ytics nomirror\nset grid\n"
        << "set yrange [0:*]\nset y2range [0:*]\nset key right bottom box opaque\n"
        << "plot '" << data << "' using 1:2 with linespoints title 'bound/s' axes x1y1, \\\n"
        << "     '" << data << "' using 1:4 with linespoints title 'running/s' axes x1y1, \\\n"
        << "     '" << data << "' using 1:3 with linespoints title 'p99 bound (ms)' axes x1y2\n";
  }
  // Not std::system: its own waitpid would race the process's reaper (common/process.hpp).
  auto gnuplot = common::run_process({"gnuplot", script});
  if (!gnuplot.ok()) {
    std::cerr << gnuplot.output
              << "capstan bench: gnuplot failed (apt-get install gnuplot-nox); data in " << data
              << "\n";
    return 1;
  }
  std::cerr << "capstan bench: plot written to " << png << "\n";
  return 0;
}

struct bench_flags {
  bench::scheduling_options o;
  std::string nodes;  // N or a list N,N,... (a sweep)
  bool json_only = false, quick = false;
  std::string png;
};

int run_scheduling(bench_flags& f) {
  bench::scheduling_options& o = f.o;
  std::vector<int> node_counts = f.nodes.empty() ? std::vector<int>{o.nodes} : parse_list(f.nodes);
  if (f.quick) {
    node_counts = {20};
    o.pods = 500;
    o.rc_size = 50;
  }
  bool json_only = f.json_only;
  const std::string& png = f.png;
  for (int n : node_counts)
    if (n <= 0 || o.pods <= 0 || o.rc_size <= 0 || o.remote_procs < 0 || o.remote_procs > n ||
        o.rate < 0 || o.etcd_clients <= 0) {
      std::cerr << "error: nodes, pods and rc-size must be positive, remote-procs 0..nodes, rate "
                   ">= 0\n";
      return 2;
    }
  o.capstan_binary = self_path();
  o.progress = !json_only;
  std::vector<bench::scheduling_result> runs;
  for (int n : node_counts) {
    o.nodes = n;
    try {
      runs.push_back(bench::run_scheduling(o));
    } catch (const std::exception& e) {
      std::cerr << "capstan bench: " << e.what() << "\n";
      return 1;
    }
    if (!json_only)
      std::cout << "\n" << bench::result_table(runs.back());
    std::cout << bench::result_json(runs.back()).dump() << std::endl;
  }
  if (!png.empty())
    return plot(runs, png);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& root) {
  CLI::App* group = cli::add_group(root, "bench", "Benchmarks");
  auto f = std::make_shared<bench_flags>();
  CLI::App* cmd = group->add_subcommand(
      "scheduling",
      "The scheduling benchmark: a master with a synced journal in a temp dir; prints progress, "
      "a table and one JSON line a run");
  cmd->add_option("--nodes", f->nodes,
                  "Simulated nodes (default 1000); a list (1000,2000,5000) sweeps");
  cmd->add_option("--pods", f->o.pods, "Pods")->capture_default_str();
  cmd->add_option("--rc-size", f->o.rc_size, "Pods per replication controller")
      ->capture_default_str();
  cmd->add_option("--rate", f->o.rate,
                  "Offer the pods at R pods/s (RCs created at that pace) instead of all at once");
  cmd->add_option("--remote-procs", f->o.remote_procs,
                  "The nodes live in P `capstan node --runtime fake` processes joining over CAF");
  cmd->add_option("--members", f->o.members,
                  "Members of the replicated journal: the master leads them, the others run "
                  "beside it on loopback over mutual TLS; the etcd anchor has as many")
      ->check(CLI::Range(1, 7))
      ->capture_default_str();
  cmd->add_flag("--no-etcd{false}", f->o.etcd,
                "Skip the durability anchor (as many durable writes into a throwaway etcd)");
  cmd->add_option("--etcd-clients", f->o.etcd_clients, "Concurrent etcd clients")
      ->capture_default_str();
  cmd->add_flag("--footprint", f->o.footprint,
                "At the end, what the read model's pods and nodes cost, field by field (a model "
                "of glibc's malloc)");
  cmd->add_flag("--json", f->json_only, "Only the JSON lines (one per run)");
  cmd->add_option("--plot", f->png, "With a sweep: throughput and p99 latency against nodes (PNG)");
  cmd->add_flag("--quick", f->quick, "20 nodes, 500 pods (a smoke run of seconds)");
  cmd->callback([f] { cli::exit_with(run_scheduling(*f)); });
}

}  // namespace capstan::admin
