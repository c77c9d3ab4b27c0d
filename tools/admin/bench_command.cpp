#include "tools/admin/bench_command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/scheduling_run.hpp"
#include "common/process.hpp"

namespace capstan::admin {

namespace {

const char* const usage = R"(Usage: capstan bench scheduling [flags]
  --nodes N            simulated nodes (default 1000); a list (1000,2000,5000) sweeps
  --pods M             pods (default 50000)
  --rc-size K          pods per replication controller (default 100)
  --rate R             offer the pods at R pods/s (RCs created at that pace) instead of all
                       at once: latency under a steady load rather than queueing behind a burst
  --remote-procs P     the nodes live in P `capstan node --runtime fake` processes joining over
                       CAF (the real join path) instead of in the master's process
  --no-etcd            skip the durability anchor (the same number of durable writes into a
                       throwaway etcd on 127.0.0.1 after each run, when etcd is installed)
  --etcd-clients C     concurrent etcd clients (default 64)
  --json               only the JSON lines (one per run)
  --plot FILE.png      with a sweep: throughput and p99 latency against nodes (gnuplot)
  --quick              20 nodes, 500 pods (a smoke run of seconds)
A master with a synced journal in a temp dir; prints progress, a table and one JSON line a run.
)";

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

}  // namespace

int run_bench_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "scheduling") {
    std::cerr << usage;
    return args.empty() || args[0] == "--help" ? 0 : 2;
  }
  bench::scheduling_options o;
  std::vector<int> node_counts = {o.nodes};
  bool json_only = false;
  std::string png;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : ""; };
    if (a == "--nodes") {
      node_counts = parse_list(value());
    } else if (a == "--pods") {
      o.pods = std::atoi(value().c_str());
    } else if (a == "--rc-size") {
      o.rc_size = std::atoi(value().c_str());
    } else if (a == "--rate") {
      o.rate = std::atof(value().c_str());
    } else if (a == "--remote-procs") {
      o.remote_procs = std::atoi(value().c_str());
    } else if (a == "--no-etcd") {
      o.etcd = false;
    } else if (a == "--etcd-clients") {
      o.etcd_clients = std::atoi(value().c_str());
    } else if (a == "--json") {
      json_only = true;
    } else if (a == "--plot") {
      png = value();
    } else if (a == "--quick") {
      node_counts = {20};
      o.pods = 500;
      o.rc_size = 50;
    } else if (a == "--help") {
      std::cout << usage;
      return 0;
    } else {
      std::cerr << "error: unknown flag " << a << "\n" << usage;
      return 2;
    }
  }
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

}  // namespace capstan::admin
