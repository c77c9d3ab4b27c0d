#include "tools/admin/bench_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

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

// The largest published Kubernetes scheduling run, drawn beside a pod sweep: k8s-1m (2025)
// placed 1,000,000 pods at about 14,000 pods/s with 8,670 cores for its schedulers alone.
constexpr double k8s_1m_pods = 1000000, k8s_1m_bound_per_second = 14000;

// Plots the runs' JSON lines (result_json): against nodes for a node sweep (throughput and p99
// created->bound), against pods for a pod sweep (throughput and peak RSS, with k8s-1m's figure).
int plot(const std::vector<nlohmann::json>& runs, const std::string& png, bool against_pods) {
  std::string data = png + ".dat";
  {
    std::ofstream out(data);
    out << "# nodes pods bound_per_second p99_bound_ms running_per_second peak_rss_mib\n";
    for (const auto& r : runs)
      out << r.value("nodes", 0) << " " << r.value("pods", 0) << " "
          << r.value("bound_per_second", 0.0) << " "
          << (r.contains("created_to_bound") ? r.at("created_to_bound").value("p99_ms", 0.0) : 0.0)
          << " "
          << r.value("running_per_second", 0.0) << " " << r.value("peak_rss_mib", 0) << "\n";
  }
  std::string script = png + ".gp";
  {
    std::ofstream out(script);
    out << "set terminal pngcairo size 900," << (against_pods ? 600 : 500) << "\nset output '"
        << png << "'\n"
        << "set ylabel 'pods/s'\nset y2tics\nset ytics nomirror\nset grid\n"
        << "set yrange [0:*]\nset y2range [0:*]\nset key right bottom box opaque\n";
    if (against_pods) {
      out << "set title 'capstan scheduling on one 2-core machine: " << runs.front().value("nodes", 0)
          << " nodes, journal synced'\nset xlabel 'pods'\nset format x '%.0s%c'\n"
          << "set y2label 'peak RSS (MiB)'\nset xrange [0:*]\n"
          << "set bmargin 9\nset key at screen 0.5, screen 0.02 center bottom box opaque\n"
          << "plot '" << data << "' using 2:3 with linespoints title 'bound/s' axes x1y1, \\\n"
          << "     '" << data << "' using 2:5 with linespoints title 'running/s' axes x1y1, \\\n"
          << "     '" << data << "' using 2:6 with linespoints title 'peak RSS (MiB)' axes x1y2, \\\n"
          << "     '-' using 1:2 with points pt 7 ps 2 title 'k8s-1m (2025): 1M pods at about 14,000/s, "
             "8,670 cores for its schedulers' axes x1y1\n"
          << k8s_1m_pods << " " << k8s_1m_bound_per_second << "\ne\n";
    } else {
      out << "set title 'capstan scheduling: " << runs.front().value("pods", 0)
          << " pods, journal synced'\nset xlabel 'nodes'\n"
          << "set y2label 'p99 created->bound (ms)'\n"
          << "plot '" << data << "' using 1:3 with linespoints title 'bound/s' axes x1y1, \\\n"
          << "     '" << data << "' using 1:5 with linespoints title 'running/s' axes x1y1, \\\n"
          << "     '" << data << "' using 1:4 with linespoints title 'p99 bound (ms)' axes x1y2\n";
    }
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
  std::string nodes = "1000";  // N or a list N,N,... (a sweep)
  std::string pods = "50000";  // the same
  bool json_only = false, quick = false;
  std::string png;
};

// One point of a sweep in a child `capstan bench scheduling` of its own, so that each point's
// peak and per-milestone RSS are its own (freed memory is not always returned to the system).
// Its progress goes to stderr as it comes; its table and JSON line are copied to stdout.
std::optional<nlohmann::json> run_point_in_child(const bench::scheduling_options& o,
                                                 bool json_only) {
  std::vector<std::string> argv = {
      o.capstan_binary, "bench", "scheduling", "--nodes", std::to_string(o.nodes), "--pods",
      std::to_string(o.pods), "--rc-size", std::to_string(o.rc_size), "--rate",
      std::to_string(o.rate), "--remote-procs", std::to_string(o.remote_procs), "--members",
      std::to_string(o.members), "--etcd-clients", std::to_string(o.etcd_clients),
      "--milestone", std::to_string(o.milestone_pods), "--snapshot-every",
      std::to_string(o.snapshot_every)};
  if (!o.etcd)
    argv.push_back("--no-etcd");
  if (o.footprint)
    argv.push_back("--footprint");
  if (json_only)
    argv.push_back("--json");
  char path[] = "/tmp/capstan-bench-point-XXXXXX";
  int fd = mkostemp(path, O_CLOEXEC);  // the child's stdout is a dup of it (dup2 clears the flag)
  if (fd < 0) {
    std::cerr << "capstan bench: cannot make a temporary file\n";
    return std::nullopt;
  }
  unlink(path);
  pid_t pid = common::start_process(argv, fd);
  auto exit = pid < 0 ? common::child_exit{} : common::wait_for_exit(pid);
  std::string output;
  char buffer[65536];
  lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
    output.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  std::cout << output << std::flush;
  if (!exit.ok()) {
    std::cerr << "capstan bench: the run of " << o.nodes << " nodes, " << o.pods
              << " pods failed (exit " << exit.exit_code << ")\n";
    return std::nullopt;
  }
  // The result is the last line that is a JSON object (the table comes before it).
  std::string result_line;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line.front() == '{')
      result_line = line;
  auto json = nlohmann::json::parse(result_line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    std::cerr << "capstan bench: the run of " << o.nodes << " nodes, " << o.pods
              << " pods printed no result line\n";
    return std::nullopt;
  }
  return json;
}

int run_scheduling(bench_flags& f) {
  bench::scheduling_options& o = f.o;
  std::vector<int> node_counts = parse_list(f.nodes), pod_counts = parse_list(f.pods);
  if (f.quick) {
    node_counts = {20};
    pod_counts = {500};
    o.rc_size = 50;
  }
  bool json_only = f.json_only;
  const std::string& png = f.png;
  if (node_counts.empty() || pod_counts.empty() ||
      (node_counts.size() > 1 && pod_counts.size() > 1)) {
    std::cerr << "error: --nodes and --pods take a count or a list (a sweep), not both a list\n";
    return 2;
  }
  for (int n : node_counts)
    for (int p : pod_counts)
      if (n <= 0 || p <= 0 || o.rc_size <= 0 || o.remote_procs < 0 || o.remote_procs > n ||
          o.rate < 0 || o.etcd_clients <= 0 || o.milestone_pods < 0) {
        std::cerr << "error: nodes, pods and rc-size must be positive, remote-procs 0..nodes, "
                     "rate and milestone >= 0\n";
        return 2;
      }
  o.capstan_binary = self_path();
  o.progress = !json_only;
  const bool sweep = node_counts.size() > 1 || pod_counts.size() > 1;
  std::vector<nlohmann::json> runs;
  for (int n : node_counts)
    for (int p : pod_counts) {
      o.nodes = n;
      o.pods = p;
      if (sweep) {
        auto json = run_point_in_child(o, json_only);
        if (!json)
          return 1;
        runs.push_back(std::move(*json));
        continue;
      }
      try {
        auto result = bench::run_scheduling(o);
        if (!json_only)
          std::cout << "\n" << bench::result_table(result);
        runs.push_back(bench::result_json(result));
        std::cout << runs.back().dump() << std::endl;
      } catch (const std::exception& e) {
        std::cerr << "capstan bench: " << e.what() << "\n";
        return 1;
      }
    }
  if (pod_counts.size() > 1 && !json_only) {
    // Deliverable of issue 22: the pace at the largest shape against the smallest.
    const auto &first = runs.front(), &last = runs.back();
    std::printf("\nbound/s at %d pods is %.1f %% of bound/s at %d pods; RSS per pod %.0f -> %.0f "
                "bytes\n",
                last.value("pods", 0),
                100.0 * last.value("bound_per_second", 0.0) /
                    std::max(1e-9, first.value("bound_per_second", 0.0)),
                first.value("pods", 0), first.value("rss_bytes_per_pod", 0.0),
                last.value("rss_bytes_per_pod", 0.0));
  }
  if (!png.empty())
    return plot(runs, png, pod_counts.size() > 1);
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
                  "Simulated nodes; a list (1000,2000,5000) sweeps, each run in a process of its "
                  "own")
      ->capture_default_str();
  cmd->add_option("--pods", f->pods,
                  "Pods; a list (150000,300000,1000000) sweeps, each run in a process of its own")
      ->capture_default_str();
  cmd->add_option("--milestone", f->o.milestone_pods,
                  "A line with the pace and the process's RSS every N pods bound (0: none)")
      ->capture_default_str();
  cmd->add_option("--rc-size", f->o.rc_size, "Pods per replication controller")
      ->capture_default_str();
  cmd->add_option("--snapshot-every", f->o.snapshot_every,
                  "Records between the master's snapshots, as capstan master takes them (0: none)")
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
  cmd->add_option("--plot", f->png,
                  "With a sweep, a PNG: throughput and p99 latency against nodes, or throughput "
                  "and peak RSS against pods (beside k8s-1m's figure)");
  cmd->add_flag("--quick", f->quick, "20 nodes, 500 pods (a smoke run of seconds)");
  cmd->callback([f] { cli::exit_with(run_scheduling(*f)); });
}

}  // namespace capstan::admin
